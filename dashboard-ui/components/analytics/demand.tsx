"use client";

import { useMemo } from "react";

import { ChartTable } from "@/components/charts/chart-table";
import { Heatmap } from "@/components/charts/heatmap";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { exploreHref } from "@/lib/analytics/links";
import { hasData } from "@/lib/analytics/pivot";
import { timeOf, type AnalyticsState } from "@/lib/analytics/state";
import type { Query } from "@/lib/api/types";
import { formatNumber, plural } from "@/lib/format";

import { SectionCard, statusOf } from "./section-card";

const DOW = "appointment.day_of_week";
const HOUR = "appointment.hour_of_day";
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAYS_LONG = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const hourLabel = (h: number) => (h === 0 ? "12a" : h < 12 ? `${h}a` : h === 12 ? "12p" : `${h - 12}p`);
const hourLong = (h: number) => `${h === 0 ? 12 : h > 12 ? h - 12 : h} ${h < 12 ? "AM" : "PM"}`;

/** Visits by weekday and start hour; a cell drills into Explore (services booked in that slot). */
export function Demand({ state }: { state: AnalyticsState }) {
  const query = useMemo<Query>(() => ({ measures: ["visit_count"], dimensions: [DOW, HOUR], time: timeOf(state), limit: 1000 }), [state]);
  const result = useMetricQuery(query);
  const rows = useMemo(() => result.data?.rows ?? [], [result.data]);
  const status = statusOf([result], () => !hasData(rows, ["visit_count"]));

  const { cells, hours } = useMemo(() => {
    const map = new Map<string, number>();
    let lo = 24;
    let hi = -1;
    for (const row of rows) {
      const d = Number(row[DOW]);
      const h = Number(row[HOUR]);
      const v = typeof row.visit_count === "number" ? row.visit_count : 0;
      map.set(`${d}:${h}`, v);
      if (v > 0) {
        lo = Math.min(lo, h);
        hi = Math.max(hi, h);
      }
    }
    const list = hi >= lo ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : [];
    return { cells: map, hours: list };
  }, [rows]);

  const busiest = useMemo(() => {
    let best: { d: number; h: number; v: number } | null = null;
    for (const [key, v] of cells) {
      const [d, h] = key.split(":").map(Number) as [number, number];
      if (!best || v > best.v) best = { d, h, v };
    }
    return best;
  }, [cells]);

  const slotHref = (d: number | string, h: number | string) =>
    exploreHref({
      measures: ["visit_count"],
      dimensions: ["service.name"],
      time: { range: query.time!.range },
      filters: [
        { field: DOW, op: "equals", value: Number(d) },
        { field: HOUR, op: "equals", value: Number(h) },
      ],
      order: [{ field: "visit_count", dir: "desc" }],
    } as Query);

  return (
    <SectionCard
      id="demand"
      title="Demand"
      description={
        busiest
          ? `Visits by weekday and start hour. Busiest: ${DAYS_LONG[busiest.d - 1]} at ${hourLong(busiest.h)} (${plural(busiest.v, "visit")}).`
          : "Visits by weekday and start hour."
      }
      queries={[result]}
      status={status}
      empty={{ title: "No visits in this period", body: "Try a longer date range." }}
      table={() => (
        <ChartTable
          caption="Visits by weekday and hour"
          columns={[
            { key: DOW, label: "Day", format: (v) => DAYS_LONG[Number(v) - 1] ?? String(v) },
            { key: HOUR, label: "Hour", format: (v) => hourLong(Number(v)) },
            { key: "visit_count", label: "Visits", numeric: true, format: (v) => formatNumber(typeof v === "number" ? v : null) },
          ]}
          rows={rows.filter((r) => r.visit_count)}
        />
      )}
    >
      <Heatmap
        caption="Visits by weekday (rows) and start hour (columns)"
        rows={DAYS.map((label, i) => ({ key: i + 1, label, long: DAYS_LONG[i] }))}
        columns={hours.map((h) => ({ key: h, label: hourLabel(h), long: hourLong(h) }))}
        value={(d, h) => cells.get(`${d}:${h}`) ?? null}
        format={(v) => plural(v ?? 0, "visit")}
        href={slotHref}
      />
      <p className="mt-3 text-label text-muted">Darker is busier. Select a cell to see which services fill that slot.</p>
    </SectionCard>
  );
}
