import { ChevronRight, Phone } from "lucide-react";
import Link from "next/link";

import type { Row } from "@/lib/api/types";
import { formatMoney, plural } from "@/lib/format";
import { formatPhone } from "@/lib/phone";

import { BalanceDue, LastVisit, NextAppointment } from "./columns";
import { num, patientId, patientName, text } from "./patient-row";

/** A patient row as a card (phones). The whole card is one link, so Enter opens it. */
export function PatientCard({ row, asOf, onOpen }: { row: Row; asOf: string | null; onOpen?: () => void }) {
  const age = num(row, "patient.age");
  return (
    <Link
      href={`/patients/${encodeURIComponent(patientId(row))}`}
      onClick={onOpen}
      className="flex items-start gap-3 p-4 hover:bg-page focus-visible:bg-primary-soft/60 focus-visible:outline-offset-[-2px]"
    >
      <div className="flex min-w-0 flex-1 flex-col gap-2">
        <div className="flex items-baseline justify-between gap-2">
          <p className="truncate font-semibold text-ink">
            {patientName(row)}
            <span className="ml-2 text-label font-normal text-muted">{age === null ? "" : `${age} yrs`}</span>
          </p>
          <span className="shrink-0 font-medium">{formatMoney(num(row, "patient.lifetime_spend"))}</span>
        </div>
        <p className="flex items-center gap-1.5 text-label text-muted">
          <Phone aria-hidden="true" className="h-3 w-3" />
          {formatPhone(text(row, "patient.phone")) || "No phone"}
          <span aria-hidden="true">·</span>
          {plural(num(row, "patient.visit_count") ?? 0, "visit")}
        </p>
        <div className="grid grid-cols-2 gap-3 text-body">
          <div className="min-w-0">
            <p className="text-label text-muted">Next</p>
            <NextAppointment row={row} asOf={asOf} />
          </div>
          <div className="min-w-0">
            <p className="text-label text-muted">Last visit</p>
            <LastVisit row={row} asOf={asOf} />
          </div>
        </div>
        {(num(row, "patient.balance_due") ?? 0) > 0 ? (
          <div className="flex">
            <BalanceDue row={row} align="start" />
          </div>
        ) : null}
      </div>
      <ChevronRight aria-hidden="true" className="mt-1 h-4 w-4 shrink-0 text-muted" />
    </Link>
  );
}
