"use client";

import { useEffect, useMemo, useState } from "react";

import { PageHeader } from "@/components/layout/page-header";
import { compareRangeOf, rangeOf } from "@/lib/analytics/compare";
import { formatRange } from "@/lib/analytics/format";
import { useCatalog, useMetricQuery } from "@/lib/analytics/hooks";
import { KPI_MEASURES } from "@/lib/analytics/kpis";
import { compareFor, rangeLabel, sparkGrain, timeOf } from "@/lib/analytics/state";
import type { Query } from "@/lib/api/types";
import { formatDate } from "@/lib/format";

import { Acquisition } from "./acquisition";
import { SectionsSkeleton } from "./analytics-skeleton";
import { DueList, LapsedList } from "./action-lists";
import { Demand } from "./demand";
import { KpiRow } from "./kpi-row";
import { Payments } from "./payments";
import { Providers } from "./providers";
import { RangeControls } from "./range-controls";
import { Retention } from "./retention";
import { RevenueTrend } from "./revenue-trend";
import { Services } from "./services";
import { useAnalyticsState } from "./use-analytics-state";

/** The owner's page: range and comparison in the URL, KPIs, then one card per question. */
export function AnalyticsDashboard() {
  const [state, update] = useAnalyticsState();
  const compare = compareFor(state);
  const time = useMemo(() => timeOf(state), [state]);

  // The KPI queries go first: they are what the owner looks at before anything else.
  const kpis = useMetricQuery(
    useMemo<Query>(() => ({ measures: KPI_MEASURES, time: timeOf(state, compare ? { compare } : {}) }), [state, compare]),
  );
  const sparks = useMetricQuery(
    useMemo<Query>(() => ({ measures: KPI_MEASURES, time: timeOf(state, { grain: sparkGrain(state.range) }) }), [state]),
  );
  const catalog = useCatalog();

  const asOf = catalog.data?.asOf ?? kpis.data?.meta.as_of ?? null;
  const minDate = useMemo(() => {
    const spans = catalog.data?.dimensions.map((d) => d.span?.start).filter((s): s is string => !!s) ?? [];
    return spans.length ? spans.sort()[0]!.slice(0, 10) : null;
  }, [catalog.data]);
  // The cards below start their (many) queries once the KPIs have answered: the owner sees the
  // headline numbers first instead of waiting in the same queue as a dozen charts. Latched on.
  const [sectionsOn, setSectionsOn] = useState(false);
  const kpisSettled = kpis.data !== undefined || kpis.isError;
  useEffect(() => {
    if (kpisSettled) setSectionsOn(true);
  }, [kpisSettled]);
  const resolved = rangeOf(kpis.data);
  const versusRange = compareRangeOf(kpis.data, compare);

  return (
    <div className="flex flex-col gap-6" data-testid="analytics">
      <PageHeader
        className="mb-0"
        title="Analytics"
        description={
          <span data-testid="as-of">
            {asOf ? `Data as of ${formatDate(asOf)}` : "Loading the data's date…"}
            <span className="text-muted"> · relative ranges count back from this day</span>
          </span>
        }
      />
      <RangeControls state={state} onChange={update} asOf={asOf} minDate={minDate} />
      <p className="-mt-3 text-label text-muted" aria-live="polite" data-testid="resolved-range">
        <span className="font-medium text-ink">{rangeLabel(state.range)}</span>
        {resolved ? `: ${formatRange(resolved)}` : state.range.kind === "preset" && state.range.id === "all_time" ? ": everything in the data" : ""}
        {versusRange ? ` · compared with ${formatRange(versusRange)}` : ""}
      </p>

      <KpiRow kpis={kpis} sparks={sparks} compare={compare} time={time} catalog={catalog.data} />

      {sectionsOn ? (
        <>
          <RevenueTrend state={state} onChange={update} />
          <Acquisition state={state} />
          <Services state={state} />
          <div className="grid items-start gap-6 xl:grid-cols-2">
            <Providers state={state} />
            <Demand state={state} />
          </div>
          <Payments state={state} />
          <Retention asOf={asOf} />
          <div className="grid gap-6 lg:grid-cols-2">
            <LapsedList asOf={asOf} />
            <DueList asOf={asOf} />
          </div>
        </>
      ) : (
        <SectionsSkeleton />
      )}
    </div>
  );
}
