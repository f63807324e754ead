import { CreditCard } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { PatientAppointment } from "@/lib/api/types";
import { formatDate, formatEnum, formatMoney, formatRelative, formatTime, formatWeekday } from "@/lib/format";
import { cn } from "@/lib/utils";

import { StatusPill } from "../status-pill";

/** Appointments newest first: lines (service, provider, time, list price) and the payment. */
export function AppointmentTimeline({ appointments, asOf }: { appointments: PatientAppointment[]; asOf: string }) {
  if (!appointments.length) {
    return <p className="py-8 text-center text-muted">No appointments on record.</p>;
  }
  const sorted = [...appointments].sort((a, b) => (b.start_at ?? "").localeCompare(a.start_at ?? ""));
  return (
    <ol className="relative flex flex-col gap-4" aria-label="Appointment timeline">
      {sorted.map((appointment) => (
        <TimelineItem key={appointment.id} appointment={appointment} asOf={asOf} />
      ))}
    </ol>
  );
}

function TimelineItem({ appointment, asOf }: { appointment: PatientAppointment; asOf: string }) {
  const cancelled = appointment.status === "cancelled";
  const due = appointment.amount_due ?? 0;
  return (
    <li className="flex gap-3" data-testid="timeline-item" data-status={appointment.status} data-due={due > 0 ? due : undefined}>
      <div className="flex flex-col items-center pt-1.5" aria-hidden="true">
        <span
          className={cn(
            "h-2.5 w-2.5 rounded-full",
            cancelled ? "border-2 border-negative bg-surface" : appointment.is_upcoming ? "bg-accent" : "bg-primary",
          )}
        />
        <span className="mt-1 w-px flex-1 bg-border" />
      </div>
      <div
        className={cn(
          "min-w-0 flex-1 rounded-control border border-border p-4",
          cancelled ? "bg-subtle/60" : "bg-surface",
        )}
      >
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div className="flex flex-wrap items-baseline gap-x-2">
            <p className={cn("font-semibold", cancelled && "text-muted line-through decoration-muted/60")}>
              {appointment.start_at ? `${formatWeekday(appointment.start_at)}, ${appointment.start_at.slice(0, 4)}` : "Date unknown"}
            </p>
            {appointment.start_at ? (
              <p className="text-label text-muted">
                {formatTime(appointment.start_at)}
                {appointment.end_at ? `–${formatTime(appointment.end_at)}` : ""} · {formatRelative(appointment.start_at, asOf)}
              </p>
            ) : null}
          </div>
          <div className="flex flex-wrap items-center gap-1.5">
            {appointment.is_upcoming ? <Badge tone="gold">Upcoming</Badge> : null}
            <StatusPill status={appointment.status} />
          </div>
        </div>

        <ul className="mt-3 flex flex-col divide-y divide-border border-t border-border">
          {appointment.lines.map((line, i) => (
            <li key={`${line.service_name}-${line.start}-${i}`} className="grid grid-cols-[minmax(0,1fr)_auto] items-baseline gap-x-4 py-2">
              <div className="min-w-0">
                <p className={cn("font-medium", cancelled && "text-muted")}>{line.service_name}</p>
                <p className="text-label text-muted">
                  with {line.provider_name} · {formatTime(line.start)}–{formatTime(line.end)}
                </p>
              </div>
              <p className={cn("tabular-nums", cancelled && "text-muted")}>{formatMoney(line.list_price)}</p>
            </li>
          ))}
        </ul>

        <div className="mt-2 flex flex-wrap items-center justify-between gap-x-4 gap-y-1 border-t border-border pt-2 text-label">
          <div className="flex min-w-0 flex-col gap-1">
            {appointment.payment ? (
              <p className="flex items-center gap-1.5 text-muted">
                <CreditCard aria-hidden="true" className="h-3.5 w-3.5" />
                <span>
                  <span className="font-medium text-ink">{formatMoney(appointment.payment.amount)}</span>{" "}
                  {formatEnum(appointment.payment.status).toLowerCase()} by {formatEnum(appointment.payment.method).toLowerCase()} on{" "}
                  {formatDate(appointment.payment.date)}
                  {appointment.payment.status !== "paid" ? " (pays nothing until it clears)" : ""}
                </span>
              </p>
            ) : null}
            {cancelled ? (
              <p className="text-muted">Cancelled: not a visit, nothing charged</p>
            ) : due > 0 ? (
              <span>
                <Badge tone="negative" className="whitespace-normal">
                  {formatMoney(due)} due{appointment.payment ? "" : ": no payment recorded"}
                </Badge>
              </span>
            ) : appointment.is_upcoming ? (
              <p className="text-muted">Upcoming: paid at checkout</p>
            ) : appointment.is_paid ? (
              <span>
                <Badge tone="positive">Paid in full</Badge>
              </span>
            ) : null}
          </div>
          <p className="whitespace-nowrap text-muted">
            List total <span className="font-medium text-ink tabular-nums">{formatMoney(appointment.list_amount)}</span>
          </p>
        </div>
      </div>
    </li>
  );
}
