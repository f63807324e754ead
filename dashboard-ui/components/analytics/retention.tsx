"use client";

import { useMemo, useState } from "react";

import { ChartTable } from "@/components/charts/chart-table";
import { CohortGrid, type CohortRow } from "@/components/charts/cohort-grid";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { addDays, addMonths, startOfMonth } from "@/lib/dates";
import type { Query } from "@/lib/api/types";
import { formatDate, formatMonthYear } from "@/lib/format";

import { SectionCard, statusOf } from "./section-card";
import { Segmented } from "./segmented";

const COHORT = "patient.first_visit_month";
const OFFSET = "appointment.months_since_first_visit";
const percent = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const monthsApart = (a: string, b: string) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));

type Window = "12" | "all";

/**
 * First-visit cohorts by month: of the patients whose first visit fell in a month, the share
 * with a visit 1, 2, … months later. The engine counts both sides (`new_patient_count` per
 * cohort, `retained_patient_count` per cohort and month offset); the page only divides them.
 */
export function Retention({ asOf }: { asOf: string | null }) {
  const [window, setWindow] = useState<Window>("12");
  const filters = useMemo<Query["filters"]>(() => {
    if (window === "all" || !asOf) return [];
    return [{ field: COHORT, op: "gte", value: addMonths(startOfMonth(asOf), -11) }];
  }, [window, asOf]);
  const ready = window === "all" || !!asOf;

  const sizes = useMetricQuery(
    useMemo<Query | null>(() => (ready ? { measures: ["new_patient_count"], dimensions: [COHORT], filters, limit: 1000 } : null), [ready, filters]),
  );
  const retained = useMetricQuery(
    useMemo<Query | null>(
      () => (ready ? { measures: ["retained_patient_count"], dimensions: [COHORT, OFFSET], filters, limit: 5000 } : null),
      [ready, filters],
    ),
  );

  const { rows, periods } = useMemo(() => {
    const counts = new Map<string, number>();
    for (const r of retained.data?.rows ?? []) {
      if (typeof r.retained_patient_count === "number") counts.set(`${String(r[COHORT]).slice(0, 10)}:${Number(r[OFFSET])}`, r.retained_patient_count);
    }
    const cohorts = (sizes.data?.rows ?? [])
      .filter((r) => r[COHORT] && typeof r.new_patient_count === "number" && r.new_patient_count > 0)
      .sort((a, b) => String(a[COHORT]).localeCompare(String(b[COHORT])));
    let maxOffset = 1;
    const out: CohortRow[] = cohorts.map((r) => {
      const month = String(r[COHORT]).slice(0, 10);
      const size = r.new_patient_count as number;
      const observable = asOf ? monthsApart(month, asOf) : 0;
      maxOffset = Math.max(maxOffset, observable);
      const shares: (number | null)[] = [];
      const cellCounts: (number | null)[] = [];
      for (let m = 1; m <= observable; m++) {
        const c = counts.get(`${month}:${m}`) ?? 0;
        shares.push(c / size);
        cellCounts.push(c);
      }
      // the last observable column is as_of's own month: running, unless as_of is its last day
      const monthEnds = asOf ? addMonths(startOfMonth(asOf), 1) === addDays(asOf.slice(0, 10), 1) : true;
      const partialAt = observable > 0 && !monthEnds ? observable - 1 : null;
      return { key: month, label: formatMonthYear(month), size, shares, counts: cellCounts, partialAt };
    });
    return { rows: out, periods: maxOffset };
  }, [sizes.data, retained.data, asOf]);

  const status = !ready ? "loading" : statusOf([sizes, retained], () => rows.length === 0);

  return (
    <SectionCard
      id="retention"
      title="Retention"
      description="Of the patients whose first visit fell in a month, the share who visited again 1, 2, 3… months later. Cohorts don't follow the page's date range."
      queries={[sizes, retained]}
      status={status}
      empty={{ title: "No first visits yet", body: "Cohorts appear once patients have had a first visit." }}
      actions={
        <Segmented
          label="Cohorts shown"
          value={window}
          options={[
            { id: "12", label: "Last 12 months" },
            { id: "all", label: "All" },
          ]}
          onChange={setWindow}
        />
      }
      table={() => (
        <ChartTable
          caption="Retention by first-visit cohort"
          columns={[
            { key: "cohort", label: "Cohort" },
            { key: "size", label: "Patients", numeric: true },
            ...Array.from({ length: periods }, (_, i) => ({
              key: `m${i + 1}`,
              label: `Month ${i + 1}`,
              numeric: true,
              format: (v: string | number | null) => (typeof v === "number" ? percent.format(v) : ""),
            })),
          ]}
          rows={rows.map((r) => ({
            cohort: r.label,
            size: r.size,
            ...Object.fromEntries(r.shares.map((s, i) => [`m${i + 1}`, s])),
          }))}
        />
      )}
    >
      <CohortGrid
        caption="Share of each first-visit cohort with a visit N months later"
        rows={rows}
        periods={periods}
        periodLabel={(i) => `M${i + 1}`}
      />
      <p className="mt-3 text-label text-muted">
        M1 is the calendar month after the first visit. Blank cells are months that have not happened yet; a dashed
        cell ending in “…” is {asOf ? formatMonthYear(asOf) : "the current month"} so far (data as of{" "}
        {asOf ? formatDate(asOf) : "—"}), not a drop.
      </p>
    </SectionCard>
  );
}
