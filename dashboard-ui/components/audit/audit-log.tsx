"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { CardEmpty, CardError, CardSkeleton } from "@/components/analytics/card-states";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { api } from "@/lib/api/client";
import type { AuditEvent } from "@/lib/api/types";
import { formatEnum, formatNumber } from "@/lib/format";

const PAGE = 50;
const ACTIONS = ["", "view_patient", "view_schedule", "search_patients", "list_patients", "export_patients", "login", "logout"];

function Patient({ event }: { event: AuditEvent }) {
  if (!event.patient_id) return <span className="text-muted">—</span>;
  return (
    <span className="flex flex-col">
      <Link className="text-primary underline-offset-2 hover:underline" href={`/patients/${encodeURIComponent(event.patient_id)}`}>
        {event.patient_name ?? "Unknown patient"}
      </Link>
      <span className="text-label text-muted">{event.patient_id}</span>
    </span>
  );
}

const when = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium" });

/** Who looked at patient data, when and from where (managers only; the API refuses others). */
export function AuditLog() {
  const [action, setAction] = useState("");
  const [offset, setOffset] = useState(0);
  const page = useQuery({
    queryKey: ["audit", action, offset],
    queryFn: ({ signal }) => api.audit({ action: action || undefined, limit: PAGE, offset }, { signal }),
    placeholderData: keepPreviousData,
  });

  return (
    <div>
      <PageHeader
        title="Audit trail"
        description="Every patient record view, search, listing and export, newest first. Search text and patient details are never recorded."
        actions={
          <label className="flex items-center gap-2 text-label text-muted">
            Action
            <select
              className="h-9 rounded-control border border-border bg-surface px-2 text-body text-ink"
              value={action}
              onChange={(event) => {
                setAction(event.target.value);
                setOffset(0);
              }}
              data-testid="audit-action"
            >
              {ACTIONS.map((value) => (
                <option key={value} value={value}>
                  {value ? formatEnum(value) : "All actions"}
                </option>
              ))}
            </select>
          </label>
        }
      />
      {page.error && !page.data ? (
        <CardError error={page.error} onRetry={() => void page.refetch()} />
      ) : !page.data ? (
        <CardSkeleton variant="list" />
      ) : page.data.events.length === 0 ? (
        <CardEmpty title="Nothing recorded yet" body="Views, searches and exports of patient data will appear here." />
      ) : (
        <Card>
          {/* phones: one card per event (a seven-column table does not fit 390 px) */}
          <ul className="divide-y divide-border md:hidden" aria-label="Audit events" data-testid="audit-cards">
            {page.data.events.map((event) => (
              <li key={event.id} className="flex flex-col gap-1 px-4 py-3">
                <span className="flex flex-wrap items-baseline justify-between gap-x-3">
                  <span className="font-medium">{formatEnum(event.action)}</span>
                  <span className="text-label text-muted">{when.format(new Date(event.at))}</span>
                </span>
                <span className="text-label text-muted">
                  {event.actor} · {formatEnum(event.role)}
                  {event.row_count === null ? "" : ` · ${formatNumber(event.row_count)} rows`}
                  {event.client_addr ? ` · from ${event.client_addr}` : ""}
                </span>
                {event.patient_id ? <Patient event={event} /> : null}
              </li>
            ))}
          </ul>
          <CardContent className="hidden overflow-x-auto p-0 md:block">
            <table className="w-full text-left text-body tabular-nums" data-testid="audit-table">
              <caption className="sr-only">Audit events</caption>
              <thead className="border-b border-border text-label text-muted">
                <tr>
                  <th scope="col" className="px-4 py-3 font-medium">When</th>
                  <th scope="col" className="px-4 py-3 font-medium">Who</th>
                  <th scope="col" className="px-4 py-3 font-medium">Role</th>
                  <th scope="col" className="px-4 py-3 font-medium">Action</th>
                  <th scope="col" className="px-4 py-3 font-medium">Patient</th>
                  <th scope="col" className="px-4 py-3 text-right font-medium">Rows</th>
                  <th scope="col" className="px-4 py-3 font-medium">From</th>
                </tr>
              </thead>
              <tbody>
                {page.data.events.map((event) => (
                  <tr key={event.id} className="border-b border-border last:border-0">
                    <td className="whitespace-nowrap px-4 py-2.5">{when.format(new Date(event.at))}</td>
                    <td className="px-4 py-2.5">{event.actor}</td>
                    <td className="px-4 py-2.5">{formatEnum(event.role)}</td>
                    <td className="px-4 py-2.5">{formatEnum(event.action)}</td>
                    <td className="px-4 py-2.5">
                      <Patient event={event} />
                    </td>
                    <td className="px-4 py-2.5 text-right">{event.row_count === null ? "—" : formatNumber(event.row_count)}</td>
                    <td className="px-4 py-2.5 text-muted">{event.client_addr ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </CardContent>
          <div className="flex flex-wrap items-center justify-between gap-4 border-t border-border px-4 py-3 text-label text-muted">
            <span>
              Viewing {formatNumber(offset + 1)}-{formatNumber(offset + page.data.events.length)} of{" "}
              {formatNumber(page.data.total_rows)}
            </span>
            <span className="flex gap-2">
              <Button variant="secondary" size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Newer
              </Button>
              <Button
                variant="secondary"
                size="sm"
                disabled={offset + PAGE >= page.data.total_rows}
                onClick={() => setOffset(offset + PAGE)}
              >
                Older
              </Button>
            </span>
          </div>
        </Card>
      )}
    </div>
  );
}
