"use client";

import type { ColumnDef, HeaderContext } from "@tanstack/react-table";
import Link from "next/link";
import type { ReactNode } from "react";

import { DataTableColumnHeader } from "@/components/data-table/column-header";
import { Badge } from "@/components/ui/badge";
import { PhoneLink } from "@/components/ui/phone-link";
import type { Row } from "@/lib/api/types";
import {
  formatDateShort,
  formatEnum,
  formatMoney,
  formatNumber,
  formatRelative,
  formatTime,
  formatWeekday,
  plural,
} from "@/lib/format";

import { num, patientId, patientName, text } from "./patient-row";
import { SORT_FIELDS } from "./query";
import type { SortId } from "./search-params";
import { StatusPill } from "./status-pill";

const Muted = ({ children }: { children: ReactNode }) => (
  <span className="text-muted">{children}</span>
);
const None = ({ label = "None" }: { label?: string }) => (
  <span className="text-muted">
    <span aria-hidden="true">—</span>
    <span className="sr-only">{label}</span>
  </span>
);

export function NextAppointment({ row, asOf }: { row: Row; asOf: string | null }) {
  const at = text(row, "patient.next_appointment_at");
  if (!at) return <None label="Nothing booked" />;
  const service = text(row, "patient.next_appointment_service");
  const provider = text(row, "patient.next_appointment_provider");
  return (
    <div className="flex min-w-0 flex-col gap-0.5">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="font-medium">
          {formatWeekday(at)}
          {asOf && asOf.slice(0, 4) !== at.slice(0, 4) ? `, ${at.slice(0, 4)}` : ""}
        </span>
        <span className="text-muted">{formatTime(at)}</span>
        <StatusPill status={text(row, "patient.next_appointment_status")} />
      </div>
      {service || provider ? (
        <span className="truncate text-label text-muted">
          {[service, provider ? `with ${provider}` : null].filter(Boolean).join(" · ")}
        </span>
      ) : null}
    </div>
  );
}

export function LastVisit({ row, asOf }: { row: Row; asOf: string | null }) {
  const at = text(row, "patient.last_visit_at");
  if (!at) return <None label="No visits yet" />;
  const service = text(row, "patient.last_visit_service");
  return (
    <div className="flex min-w-0 flex-col gap-0.5">
      <span title={formatDateShort(at)} className="font-medium">
        {formatRelative(at, asOf)}
      </span>
      {service ? <span className="truncate text-label text-muted">{service}</span> : null}
    </div>
  );
}

/** What the patient owes (patient.balance_due) and over how many visits; the same words everywhere. */
export function BalanceDue({ row, align = "end" }: { row: Row; align?: "start" | "end" }) {
  const due = num(row, "patient.balance_due") ?? 0;
  const unpaid = num(row, "patient.unpaid_visit_count") ?? 0;
  if (due <= 0) return <None label="Nothing owed" />;
  return (
    <div className={align === "end" ? "flex flex-col items-end gap-0.5" : "flex flex-col items-start gap-0.5"}>
      <Badge tone="negative">{formatMoney(due)} due</Badge>
      {unpaid > 0 ? <span className="text-label text-muted">{plural(unpaid, "unpaid visit")}</span> : null}
    </div>
  );
}

/** Column id = the URL's sort key (search-params.ts SORT_IDS). */
export function patientColumns(asOf: string | null): ColumnDef<Row>[] {
  const header = (title: string) =>
    function SortableHeader({ column }: HeaderContext<Row, unknown>) {
      return <DataTableColumnHeader column={column} title={title} />;
    };

  const columns: (ColumnDef<Row> & { id: SortId })[] = [
    {
      id: "patient",
      header: header("Patient"),
      meta: { label: "Patient name", className: "min-w-[160px]" },
      cell: ({ row }) => {
        const age = num(row.original, "patient.age");
        return (
          <div className="flex flex-col gap-0.5">
            <Link
              href={`/patients/${encodeURIComponent(patientId(row.original))}`}
              tabIndex={-1}
              onClick={(event) => event.stopPropagation()}
              className="font-medium text-ink hover:text-primary hover:underline"
            >
              {patientName(row.original)}
            </Link>
            <span className="text-label text-muted">{age === null ? "Age unknown" : `${age} yrs`}</span>
          </div>
        );
      },
    },
    {
      id: "phone",
      header: header("Phone"),
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => <PhoneLink raw={text(row.original, "patient.phone")} tabIndex={-1} stopPropagation />,
    },
    {
      id: "next",
      header: header("Next appointment"),
      meta: { className: "min-w-[200px]" },
      cell: ({ row }) => <NextAppointment row={row.original} asOf={asOf} />,
    },
    {
      id: "last",
      header: header("Last visit"),
      meta: { className: "min-w-[140px]" },
      cell: ({ row }) => <LastVisit row={row.original} asOf={asOf} />,
    },
    {
      id: "visits",
      header: header("Visits"),
      meta: { align: "right" },
      cell: ({ row }) => formatNumber(num(row.original, "patient.visit_count")),
    },
    {
      id: "spend",
      header: header("Lifetime spend"),
      meta: { align: "right", className: "whitespace-nowrap" },
      cell: ({ row }) => formatMoney(num(row.original, "patient.lifetime_spend")),
    },
    {
      id: "balance",
      header: header("Balance due"),
      meta: { align: "right", className: "whitespace-nowrap" },
      cell: ({ row }) => <BalanceDue row={row.original} />,
    },
    {
      id: "source",
      header: header("Source"),
      cell: ({ row }) => formatEnum(text(row.original, "patient.source")),
    },
    {
      id: "since",
      header: header("Patient since"),
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => {
        const first = text(row.original, "patient.first_visit_at");
        if (first) return formatDateShort(first);
        const created = text(row.original, "patient.created_at");
        return (
          <div className="flex flex-col gap-0.5">
            <Muted>No visit yet</Muted>
            {created ? <span className="text-label text-muted">Added {formatDateShort(created)}</span> : null}
          </div>
        );
      },
    },
  ];
  // Display columns have no accessor, and TanStack only sorts accessor columns: give each the
  // member it sorts by (the server does the sorting; this only enables the headers).
  return columns.map((column) => ({
    ...column,
    accessorFn: (row: Row) => row[SORT_FIELDS[column.id][0]!] ?? null,
  }));
}
