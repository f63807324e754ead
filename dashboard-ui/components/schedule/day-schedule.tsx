"use client";

import { useQuery } from "@tanstack/react-query";
import { CalendarDays, ChevronLeft, ChevronRight } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef } from "react";

import { EmptyState, ErrorState } from "@/components/data-table/states";
import { StatusPill } from "@/components/patients/status-pill";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { PhoneLink } from "@/components/ui/phone-link";
import { Skeleton } from "@/components/ui/skeleton";
import { api } from "@/lib/api/client";
import type { Schedule, ScheduledAppointment } from "@/lib/api/types";
import { addDays } from "@/lib/dates";
import { formatMoney, formatTime, plural } from "@/lib/format";
import { cn } from "@/lib/utils";

const longDay = new Intl.DateTimeFormat("en-US", {
  weekday: "long",
  month: "long",
  day: "numeric",
  year: "numeric",
  timeZone: "UTC",
});
const dayTitle = (iso: string) => longDay.format(new Date(`${iso}T00:00:00Z`));

/** One day's appointments (GET /api/schedule): any day by the picker; the data's as_of day by default. */
export function useSchedule(date: string | null) {
  return useQuery<Schedule>({
    queryKey: ["schedule", date],
    queryFn: ({ signal }) => api.schedule(date, { signal }),
    staleTime: 60_000,
  });
}

/** The front desk's day: appointments in time order, the next arrival highlighted, what each visit owes. */
export function DaySchedule({ date, onDateChange }: { date: string | null; onDateChange: (date: string | null) => void }) {
  const schedule = useSchedule(date);
  const day = schedule.data?.date ?? date;
  const asOfDay = schedule.data?.as_of.slice(0, 10) ?? null;
  const go = (next: string) => onDateChange(next === asOfDay ? null : next);

  return (
    <section aria-labelledby="schedule-title" className="flex flex-col gap-4" data-testid="day-schedule">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="schedule-title" className="text-[18px] font-semibold leading-7 text-ink">
            {day ? dayTitle(day) : "Today"}
          </h2>
          <ScheduleSummary schedule={schedule.data} />
        </div>
        <DayPicker day={day} asOfDay={asOfDay} onChange={go} />
      </div>
      {schedule.error && !schedule.data ? (
        <div className="rounded-card border border-border bg-surface">
          <ErrorState error={schedule.error} onRetry={() => void schedule.refetch()} />
        </div>
      ) : !schedule.data ? (
        <ScheduleSkeleton />
      ) : schedule.data.appointments.length === 0 ? (
        <div className="rounded-card border border-border bg-surface">
          <EmptyState
            title="No appointments on this day"
            body="Pick another day with the arrows or the date field."
          />
        </div>
      ) : (
        <ol
          aria-label={`Appointments, ${dayTitle(schedule.data.date)}`}
          className={cn(
            "divide-y divide-border overflow-hidden rounded-card border border-border bg-surface shadow-soft",
            schedule.isFetching && "opacity-60",
          )}
        >
          {schedule.data.appointments.map((appointment) => (
            <ScheduleEntry
              key={appointment.id}
              appointment={appointment}
              next={appointment.id === schedule.data.next_arrival_id}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

function ScheduleSummary({ schedule }: { schedule: Schedule | undefined }) {
  if (!schedule) return <p className="mt-1 text-muted">Loading the day…</p>;
  const live = schedule.appointments.filter((a) => a.status !== "cancelled");
  const cancelled = schedule.appointments.length - live.length;
  const due = schedule.appointments.reduce((sum, a) => sum + (a.amount_due ?? 0), 0);
  const moment = schedule.as_of.length > 10 && schedule.as_of.slice(0, 10) === schedule.date ? schedule.as_of : null;
  return (
    <p className="mt-1 text-muted" data-testid="schedule-summary">
      {plural(live.length, "appointment")}
      {cancelled ? ` · ${cancelled} cancelled` : ""}
      {due > 0 ? ` · ${formatMoney(due)} due` : ""}
      {moment ? ` · data as of ${formatTime(moment)}: later ones are still to come` : ""}
    </p>
  );
}

function DayPicker({ day, asOfDay, onChange }: { day: string | null; asOfDay: string | null; onChange: (day: string) => void }) {
  return (
    <div className="flex items-center gap-2" role="group" aria-label="Pick a day">
      <Button variant="secondary" size="icon" aria-label="Previous day" disabled={!day} onClick={() => day && onChange(addDays(day, -1))}>
        <ChevronLeft aria-hidden="true" className="h-4 w-4" />
      </Button>
      <label className="sr-only" htmlFor="schedule-date">
        Day
      </label>
      <Input
        id="schedule-date"
        type="date"
        className="w-[10.5rem]"
        value={day ?? ""}
        onChange={(event) => event.target.value && onChange(event.target.value)}
        data-testid="schedule-date"
      />
      <Button variant="secondary" size="icon" aria-label="Next day" disabled={!day} onClick={() => day && onChange(addDays(day, 1))}>
        <ChevronRight aria-hidden="true" className="h-4 w-4" />
      </Button>
      <Button variant="secondary" size="sm" disabled={!asOfDay || day === asOfDay} onClick={() => asOfDay && onChange(asOfDay)}>
        <CalendarDays aria-hidden="true" className="h-3.5 w-3.5" />
        Today
      </Button>
    </div>
  );
}

function Money({ appointment }: { appointment: ScheduledAppointment }) {
  if (appointment.status === "cancelled") return <span className="text-muted">Nothing due</span>;
  if (appointment.payment_status === "failed" && !appointment.is_paid) {
    return <Badge tone="negative">Payment failed · {formatMoney(appointment.amount_due ?? appointment.list_amount)} due</Badge>;
  }
  if (appointment.payment_status === "pending" && !appointment.is_paid) {
    return <Badge tone="gold">Payment pending · {formatMoney(appointment.amount_due ?? appointment.list_amount)}</Badge>;
  }
  if (appointment.amount_due) return <Badge tone="negative">{formatMoney(appointment.amount_due)} due</Badge>;
  if (appointment.is_paid) return <Badge tone="positive">Paid {formatMoney(appointment.paid_amount)}</Badge>;
  return <span className="text-muted">{formatMoney(appointment.list_amount)} at checkout</span>;
}

function ScheduleEntry({ appointment, next }: { appointment: ScheduledAppointment; next: boolean }) {
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (next) ref.current?.scrollIntoView?.({ block: "nearest" });
  }, [next]);
  const cancelled = appointment.status === "cancelled";
  return (
    <li
      ref={ref}
      className={cn(
        "grid grid-cols-[4.5rem_1fr] gap-x-3 gap-y-2 p-4 sm:grid-cols-[6rem_minmax(0,1.3fr)_minmax(0,1.6fr)_auto] sm:items-start",
        next && "border-l-4 border-l-primary bg-primary-soft/50",
        cancelled && "bg-subtle/60",
      )}
      data-testid="schedule-entry"
      data-next={next ? "true" : undefined}
      aria-current={next ? "true" : undefined}
    >
      <div className="flex flex-col">
        <span className={cn("font-semibold tabular-nums", cancelled && "line-through decoration-muted")}>{formatTime(appointment.start_at)}</span>
        <span className="text-label text-muted">to {formatTime(appointment.end_at)}</span>
        {next ? <span className="mt-1 text-label font-semibold text-primary">Next arrival</span> : null}
      </div>
      <div className="flex min-w-0 flex-col gap-0.5">
        <Link
          href={`/patients/${encodeURIComponent(appointment.patient_id)}`}
          className="truncate font-semibold text-ink hover:text-primary hover:underline"
        >
          {appointment.patient_name}
        </Link>
        <PhoneLink raw={appointment.phone} className="text-label" />
      </div>
      <ul className="col-start-2 flex min-w-0 flex-col gap-0.5 sm:col-start-auto" aria-label="Services">
        {appointment.lines.map((line, i) => (
          <li key={i} className="truncate text-body">
            {line.service_name}
            <span className="text-muted"> with {line.provider_name}</span>
          </li>
        ))}
      </ul>
      <div className="col-start-2 flex flex-wrap items-center gap-2 sm:col-start-auto sm:flex-col sm:items-end">
        <StatusPill status={appointment.status} />
        <Money appointment={appointment} />
      </div>
    </li>
  );
}

function ScheduleSkeleton() {
  return (
    <div className="flex flex-col divide-y divide-border rounded-card border border-border bg-surface" aria-busy="true">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="flex gap-4 p-4">
          <Skeleton className="h-4 w-14" />
          <Skeleton className="h-4 w-40" />
          <Skeleton className="h-4 w-52" />
        </div>
      ))}
    </div>
  );
}
