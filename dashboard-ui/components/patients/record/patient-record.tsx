"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, Cake, Mail, MapPin, Phone, UserRound } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";

import { ErrorState } from "@/components/data-table/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { PhoneLink } from "@/components/ui/phone-link";
import { ApiError, api } from "@/lib/api/client";
import type { PatientRecord } from "@/lib/api/types";
import {
  formatDate,
  formatEnum,
  formatMoney,
  formatNumber,
  formatRelative,
  formatTime,
  formatWeekday,
  plural,
} from "@/lib/format";

import { sessionMemory } from "../session-memory";
import { AppointmentTimeline } from "./timeline";

export function PatientRecordView({ id }: { id: string }) {
  const record = useQuery({
    queryKey: ["patient", id],
    queryFn: ({ signal }) => api.patient(id, { signal }),
  });

  const back = (
    <Button asChild variant="ghost" size="sm" className="-ml-3 mb-4 text-muted">
      <Link href={sessionMemory.listHref}>
        <ArrowLeft aria-hidden="true" className="h-4 w-4" />
        Back to patients
      </Link>
    </Button>
  );

  if (record.error) {
    const notFound = record.error instanceof ApiError && record.error.status === 404;
    return (
      <div>
        {back}
        <Card>
          {notFound ? (
            <CardContent className="py-16 text-center">
              <p className="font-semibold">No patient with this id</p>
              <p className="mt-1 text-muted">The link may be old, or the record was removed.</p>
            </CardContent>
          ) : (
            <ErrorState error={record.error} onRetry={() => void record.refetch()} />
          )}
        </Card>
      </div>
    );
  }

  if (!record.data) {
    return (
      <div aria-busy="true">
        {back}
        <RecordSkeleton />
      </div>
    );
  }

  return (
    <div>
      {back}
      <RecordBody record={record.data} />
    </div>
  );
}

function RecordBody({ record }: { record: PatientRecord }) {
  const { patient, stats, appointments } = record;
  const asOf = record.as_of;
  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex items-center gap-4">
          <span
            aria-hidden="true"
            className="grid h-14 w-14 shrink-0 place-items-center rounded-full bg-primary-soft text-lg font-semibold text-primary"
          >
            {initials(patient.first_name, patient.last_name)}
          </span>
          <div>
            <h1 className="text-title" data-testid="record-name">
              {patient.name}
            </h1>
            <p className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-muted">
              <span>{patient.age === null ? "Age unknown" : `${patient.age} years`}</span>
              <span aria-hidden="true">·</span>
              <span>{formatEnum(patient.gender)}</span>
              <span aria-hidden="true">·</span>
              <span>Came via {formatEnum(patient.source)}</span>
              {stats.balance_due > 0 ? (
                <Badge tone="negative" data-testid="record-balance">
                  {formatMoney(stats.balance_due)} due · {plural(stats.unpaid_visit_count, "unpaid visit")}
                </Badge>
              ) : null}
            </p>
          </div>
        </div>
        <p className="text-label text-muted">Data as of {formatDate(asOf)}</p>
      </header>

      <section aria-label="Key figures" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi label="Lifetime spend" value={formatMoney(stats.lifetime_spend, { whole: true })} exact={formatMoney(stats.lifetime_spend)} />
        <Kpi label="Visits" value={formatNumber(stats.visit_count)} />
        <Kpi
          label="Average ticket"
          value={stats.average_ticket === null ? "—" : formatMoney(stats.average_ticket, { whole: true })}
          exact={stats.average_ticket === null ? "No paid visits" : formatMoney(stats.average_ticket)}
        />
        <Kpi
          label="Balance due"
          value={formatMoney(stats.balance_due)}
          exact={stats.balance_due > 0 ? `Over ${plural(stats.unpaid_visit_count, "unpaid visit")}: list prices minus what was paid` : "Nothing owed"}
          tone={stats.balance_due > 0 ? "negative" : undefined}
        />
      </section>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="flex flex-col gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Contact</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="flex flex-col gap-3">
                <Field icon={<Phone className="h-4 w-4" />} label="Phone">
                  <PhoneLink raw={patient.phone} className="text-primary" />
                </Field>
                <Field icon={<Mail className="h-4 w-4" />} label="Email">
                  <a className="break-all text-primary hover:underline" href={`mailto:${patient.email}`}>
                    {patient.email}
                  </a>
                </Field>
                <Field icon={<MapPin className="h-4 w-4" />} label="Address">
                  {patient.address || "—"}
                </Field>
              </dl>
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Demographics</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="flex flex-col gap-3">
                <Field icon={<Cake className="h-4 w-4" />} label="Date of birth">
                  {formatDate(patient.date_of_birth)}
                  {patient.age !== null ? <span className="text-muted"> ({patient.age} years)</span> : null}
                </Field>
                <Field icon={<UserRound className="h-4 w-4" />} label="Gender">
                  {formatEnum(patient.gender)}
                </Field>
                <Field label="Acquisition source">{formatEnum(patient.source)}</Field>
                <Field label="Record created">{formatDate(patient.created_at)}</Field>
              </dl>
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Visits</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="flex flex-col gap-3">
                <Field label="First visit">
                  <DateWithRelative iso={stats.first_visit_at} asOf={asOf} empty="No visits yet" />
                </Field>
                <Field label="Last visit">
                  <DateWithRelative iso={stats.last_visit_at} asOf={asOf} empty="No visits yet" />
                </Field>
                <Field label="Next appointment">
                  {stats.next_appointment_at ? (
                    <span>
                      {formatWeekday(stats.next_appointment_at)}, {stats.next_appointment_at.slice(0, 4)} at{" "}
                      {formatTime(stats.next_appointment_at)}
                      <span className="text-muted"> ({formatRelative(stats.next_appointment_at, asOf)})</span>
                    </span>
                  ) : (
                    <span className="text-muted">Nothing booked</span>
                  )}
                </Field>
              </dl>
            </CardContent>
          </Card>
        </div>

        <Card>
          <CardHeader>
            <CardTitle>Appointments</CardTitle>
            <p className="text-muted">
              {formatNumber(appointments.length)} in total, newest first. Cancelled ones are marked and excluded from
              visits.
            </p>
          </CardHeader>
          <CardContent>
            <AppointmentTimeline appointments={appointments} asOf={asOf} />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}

function initials(first: string, last: string): string {
  return `${first.charAt(0)}${last.charAt(0)}`.toUpperCase();
}

function Kpi({
  label,
  value,
  exact,
  tone,
}: {
  label: string;
  value: string;
  exact?: string;
  tone?: "negative";
}) {
  return (
    <Card>
      <CardContent className="p-5">
        <p className="text-label font-medium text-muted">{label}</p>
        <p className={tone === "negative" ? "mt-1 text-kpi text-negative" : "mt-1 text-kpi text-ink"} title={exact}>
          {value}
        </p>
        {exact && exact !== value ? <p className="text-label text-muted">{exact}</p> : null}
      </CardContent>
    </Card>
  );
}

function Field({ icon, label, children }: { icon?: ReactNode; label: string; children: ReactNode }) {
  return (
    // dl > div > dt + dd (the one grouping a definition list allows); the icon sits in the term
    <div className="relative min-w-0 pl-7">
      <dt className="text-label text-muted">
        <span aria-hidden="true" className="absolute left-0 top-2.5 w-4 text-muted">
          {icon}
        </span>
        {label}
      </dt>
      <dd className="min-w-0 text-ink">{children}</dd>
    </div>
  );
}

function DateWithRelative({ iso, asOf, empty }: { iso: string | null; asOf: string; empty: string }) {
  if (!iso) return <span className="text-muted">{empty}</span>;
  return (
    <span>
      {formatDate(iso)} <span className="text-muted">({formatRelative(iso, asOf)})</span>
    </span>
  );
}

function RecordSkeleton() {
  return (
    <div className="flex flex-col gap-6">
      <div className="flex items-center gap-4">
        <Skeleton className="h-14 w-14 rounded-full" />
        <div className="flex flex-col gap-2">
          <Skeleton className="h-7 w-56" />
          <Skeleton className="h-4 w-40" />
        </div>
      </div>
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-24 rounded-card" />
        ))}
      </div>
      <div className="grid gap-6 lg:grid-cols-[1fr_2fr]">
        <Skeleton className="h-72 rounded-card" />
        <Skeleton className="h-96 rounded-card" />
      </div>
    </div>
  );
}
