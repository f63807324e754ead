import Link from "next/link";

import { Sparkline } from "@/components/charts/sparkline";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { deltaOf, formatValue, type Unit } from "@/lib/analytics/format";
import { cn } from "@/lib/utils";

import { DeltaChip } from "./delta-chip";

export interface KpiCardProps {
  measure: string;
  label: string;
  description?: string;
  unit: Unit;
  upIsGood: boolean;
  value: unknown;
  previous?: unknown;
  change?: unknown;
  changePct?: unknown;
  /** "vs May 31 – Aug 28"; null: no comparison */
  versus: string | null;
  spark: (number | null)[] | null;
  href: string;
  drillLabel: string;
  /** what the number means, in a few words under the label */
  footnote?: string;
  updating?: boolean;
}

/**
 * A KPI: label, compact value, delta chip against the comparison, sparkline. The whole card is a
 * link that drills down; hovering or focusing it shows the exact value (and the previous one).
 */
export function KpiCard(props: KpiCardProps) {
  const { measure, label, description, unit, upIsGood, value, previous, change, changePct, versus, spark, href, drillLabel, footnote, updating } =
    props;
  const compact = formatValue(value, unit, { compact: true });
  const exact = formatValue(value, unit);
  const delta = versus ? deltaOf(unit, upIsGood, previous, change, changePct) : null;
  const previousExact = versus ? formatValue(previous, unit) : null;
  // read after the visible text (which stays the link's name, as shown): the exact value and where it leads
  const spoken = `Exactly ${exact}. ${drillLabel}.`;

  return (
    <Card className={cn("group relative min-w-0 transition-shadow hover:shadow-raised focus-within:shadow-raised", updating && "opacity-75")}>
      <Link
        href={href}
        className="flex h-full flex-col gap-2 rounded-card p-4 outline-none focus-visible:ring-2 focus-visible:ring-primary sm:p-5"
        aria-describedby={`kpi-tip-${measure}`}
        data-testid={`kpi-${measure}`}
        data-value={typeof value === "number" ? String(value) : ""}
      >
        <span className="flex flex-col gap-0.5" title={description}>
          <span className="truncate text-label font-medium uppercase tracking-wide text-muted">{label}</span>
          {footnote ? <span className="text-label text-muted" data-testid="kpi-footnote">{footnote}</span> : null}
        </span>
        <span className="text-[26px] font-medium leading-8 tabular-nums text-ink sm:text-kpi" data-testid="kpi-value">
          {compact}
        </span>
        {delta && versus ? <DeltaChip delta={delta} versus={versus} /> : <span className="text-label text-muted">No comparison</span>}
        <Sparkline values={spark ?? []} className="mt-auto" />
        <span className="sr-only">{spoken}</span>
      </Link>
      <div
        id={`kpi-tip-${measure}`}
        role="tooltip"
        className="pointer-events-none absolute left-3 right-3 top-full z-20 mt-1 hidden rounded-control border border-border bg-surface px-3 py-2 text-label shadow-raised group-focus-within:block group-hover:block"
      >
        <span className="block font-semibold tabular-nums text-ink">{exact}</span>
        {previousExact && versus ? (
          <span className="block tabular-nums text-muted">
            {previousExact} {versus.replace(/^vs /, "in ")}
          </span>
        ) : null}
        <span className="mt-1 block text-muted">{drillLabel} →</span>
      </div>
    </Card>
  );
}

export function KpiCardSkeleton() {
  return (
    <Card className="flex flex-col gap-3 p-4 sm:p-5" aria-hidden="true">
      <Skeleton className="h-3 w-20" />
      <Skeleton className="h-8 w-28" />
      <Skeleton className="h-5 w-24 rounded-full" />
      <Skeleton className="h-8 w-full" />
    </Card>
  );
}
