"use client";

import { CardError } from "@/components/analytics/card-states";
import { Card } from "@/components/ui/card";
import { rangeOf, versusLabel } from "@/lib/analytics/compare";
import { unitOf } from "@/lib/analytics/format";
import { stateOf } from "@/lib/analytics/hooks";
import { KPIS } from "@/lib/analytics/kpis";
import type { NormalizedCatalog } from "@/lib/analytics/catalog";
import type { QueryResponse, Query } from "@/lib/api/types";

import { KpiCard, KpiCardSkeleton } from "./kpi-card";

interface QueryState {
  data: QueryResponse | undefined;
  isPending: boolean;
  isFetching: boolean;
  isError: boolean;
  isPlaceholderData: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** Six KPIs from one compared query, sparklines from the same measures by grain. */
export function KpiRow({
  kpis,
  sparks,
  compare,
  time,
  catalog,
}: {
  kpis: QueryState;
  sparks: QueryState;
  compare: string | undefined;
  time: NonNullable<Query["time"]>;
  catalog: NormalizedCatalog | undefined;
}) {
  const state = stateOf(kpis);
  if (kpis.isError && !kpis.data) {
    return (
      <Card className="px-6" data-testid="kpi-row" data-state="error">
        <CardError error={kpis.error} onRetry={() => void kpis.refetch()} />
      </Card>
    );
  }
  const row = kpis.data?.rows[0] ?? {};
  const columns = kpis.data?.columns;
  const range = rangeOf(kpis.data);
  const versus = versusLabel(kpis.data, compare);
  const sparkRows = sparks.data?.rows ?? null;

  return (
    <section aria-label="Key figures" data-testid="kpi-row" data-state={state}>
      <ul className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        {KPIS.map((kpi) => (
          <li key={kpi.measure} className="min-w-0">
            {kpis.data ? (
              <KpiCard
                measure={kpi.measure}
                label={kpi.label}
                description={catalog?.measure(kpi.measure)?.description}
                unit={columns ? unitOf(kpi.measure, columns) : kpi.unit}
                upIsGood={kpi.upIsGood}
                value={row[kpi.measure]}
                previous={row[`${kpi.measure}.previous`]}
                change={row[`${kpi.measure}.change`]}
                changePct={row[`${kpi.measure}.change_pct`]}
                versus={compare ? versus : null}
                spark={sparkRows ? sparkRows.map((r) => (typeof r[kpi.measure] === "number" ? (r[kpi.measure] as number) : null)) : null}
                href={kpi.href(range, time)}
                drillLabel={kpi.drillLabel}
                footnote={kpi.footnote}
                updating={kpis.isPlaceholderData}
              />
            ) : (
              <KpiCardSkeleton />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
