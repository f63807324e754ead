"use client";

import { ArrowRight, Download, Loader2, Sparkles, UserMinus } from "lucide-react";
import Link from "next/link";
import { useMemo, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { PhoneLink } from "@/components/ui/phone-link";
import { Select } from "@/components/ui/select";
import {
  contactQuery,
  DUE_WINDOW_DAYS,
  dueHref,
  dueQuery,
  lapsedHref,
  lapsedQuery,
  REPEAT_INTERVALS,
} from "@/lib/analytics/action-lists";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { api } from "@/lib/api/client";
import type { Query, Row } from "@/lib/api/types";
import { downloadText } from "@/lib/csv";
import { formatMoney, formatRelative, plural } from "@/lib/format";

import { SectionCard, statusOf } from "./section-card";

function PatientList({ rows, asOf }: { rows: Row[]; asOf: string | null }) {
  return (
    <ol className="flex flex-col divide-y divide-border">
      {rows.map((row, i) => (
        <li key={String(row["patient.id"])} className="flex items-center gap-3 py-2.5">
          <span className="w-5 shrink-0 text-right text-label tabular-nums text-muted">{i + 1}</span>
          <div className="min-w-0 flex-1">
            <Link
              href={`/patients/${encodeURIComponent(String(row["patient.id"]))}`}
              className="block truncate font-medium text-ink hover:text-primary hover:underline"
            >
              {String(row["patient.name"] ?? "Unnamed patient")}
            </Link>
            <span className="block truncate text-label text-muted">
              Last visit {formatRelative(row["patient.last_visit_at"] as string | null, asOf)}
              {row["patient.last_visit_service"] ? ` · ${String(row["patient.last_visit_service"])}` : ""}
            </span>
            <PhoneLink raw={row["patient.phone"] as string | null} className="text-label" />
          </div>
          <span className="shrink-0 text-right">
            <span className="block font-semibold tabular-nums text-ink">{formatMoney(row["patient.lifetime_spend"] as number, { whole: true })}</span>
            <span className="block text-label text-muted">lifetime</span>
          </span>
        </li>
      ))}
    </ol>
  );
}

function SeeAll({ href, children, testId }: { href: string; children: ReactNode; testId: string }) {
  return (
    <Button asChild variant="link" className="gap-1">
      <Link href={href} data-testid={testId}>
        {children}
        <ArrowRight aria-hidden="true" className="h-3.5 w-3.5" />
      </Link>
    </Button>
  );
}

/** Every patient of the list with phone and email, as CSV (the server's export: audited, money in dollars). */
function ExportCallList({ query, name, testId }: { query: Query | null; name: string; testId: string }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const run = async () => {
    if (!query) return;
    setBusy(true);
    setFailed(null);
    try {
      const { csv } = await api.exportPatients(contactQuery(query));
      downloadText(`${name}.csv`, csv);
    } catch (error) {
      setFailed(error instanceof Error ? error.message : "The export failed.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="inline-flex items-center gap-2">
      <Button variant="secondary" size="sm" onClick={() => void run()} disabled={!query || busy} data-testid={testId}>
        {busy ? <Loader2 aria-hidden="true" className="h-3.5 w-3.5 animate-spin" /> : <Download aria-hidden="true" className="h-3.5 w-3.5" />}
        Call list (CSV)
      </Button>
      {failed ? (
        <span role="alert" className="text-label text-negative">
          {failed}
        </span>
      ) : null}
    </span>
  );
}

function ListFooter({ children }: { children: ReactNode }) {
  return <div className="flex flex-wrap items-center justify-between gap-2">{children}</div>;
}

/** Lapsed patients worth winning back, ranked by lifetime spend. */
export function LapsedList({ asOf }: { asOf: string | null }) {
  const query = useMemo(() => (asOf ? lapsedQuery(asOf) : null), [asOf]);
  const result = useMetricQuery(query, { keepPrevious: false });
  const rows = result.data?.rows ?? [];
  const total = result.data?.total_rows ?? 0;
  const status = !asOf ? "loading" : statusOf([result], () => rows.length === 0);
  return (
    <SectionCard
      id="lapsed"
      title="Win back: lapsed patients"
      description="No visit in the last 90 days and nothing booked: the most valuable first."
      queries={[result]}
      status={status}
      skeleton="list"
      skeletonHeight={260}
      empty={{ title: "No lapsed patients", body: "Everyone seen before has visited in the last 90 days or has something booked.", icon: <UserMinus aria-hidden="true" className="h-4 w-4" /> }}
      footer={
        <ListFooter>
          <SeeAll href={lapsedHref()} testId="lapsed-see-all">
            See all {plural(total, "lapsed patient")}
          </SeeAll>
          <ExportCallList query={query} name="win-back-call-list" testId="lapsed-export" />
        </ListFooter>
      }
    >
      <PatientList rows={rows} asOf={asOf} />
    </SectionCard>
  );
}

/** Patients due for a repeat of a treatment (e.g. Botox after 90 days) with nothing booked. */
export function DueList({ asOf }: { asOf: string | null }) {
  const [service, setService] = useState(REPEAT_INTERVALS[0]!.service);
  const days = REPEAT_INTERVALS.find((r) => r.service === service)?.days ?? 90;
  const query = useMemo(() => (asOf ? dueQuery(service, days, asOf) : null), [asOf, service, days]);
  const result = useMetricQuery(query, { keepPrevious: false });
  const rows = result.data?.rows ?? [];
  const total = result.data?.total_rows ?? 0;
  const status = !asOf ? "loading" : statusOf([result], () => rows.length === 0);
  return (
    <SectionCard
      id="due"
      title="Due for a repeat"
      description={`Had ${service}; their last visit was ${days} to ${days + DUE_WINDOW_DAYS} days ago and nothing is booked: call before they lapse. Most overdue first.`}
      queries={[result]}
      status={status}
      skeleton="list"
      skeletonHeight={260}
      actions={
        <label>
          <span className="sr-only">Treatment</span>
          <Select value={service} onChange={(e) => setService(e.target.value)} className="h-8 rounded-full text-label" data-testid="due-service">
            {REPEAT_INTERVALS.map((r) => (
              <option key={r.service} value={r.service}>
                {r.service} · {r.days} days
              </option>
            ))}
          </Select>
        </label>
      }
      empty={{
        title: `No one is due for ${service}`,
        body: `No one who had ${service} last visited ${days} to ${days + DUE_WINDOW_DAYS} days ago without a booking.`,
        icon: <Sparkles aria-hidden="true" className="h-4 w-4" />,
      }}
      footer={
        asOf ? (
          <ListFooter>
            <SeeAll href={dueHref(service, days, asOf)} testId="due-see-all">
              See all {plural(total, "patient")}
            </SeeAll>
            <ExportCallList query={query} name={`due-${service.toLowerCase().replace(/\W+/g, "-")}-call-list`} testId="due-export" />
          </ListFooter>
        ) : null
      }
    >
      <PatientList rows={rows} asOf={asOf} />
    </SectionCard>
  );
}
