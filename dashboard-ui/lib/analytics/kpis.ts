/**
 * The owner's KPI row: which measures, whether up is good, and where a click drills down.
 * Labels and units come from the response's columns when present; these are the fallbacks.
 */
import type { Query } from "@/lib/api/types";

import { exploreHref, firstVisitIn, lastVisitIn, patientsHref } from "./links";
import type { DateRange, Unit } from "./format";

export interface KpiDefinition {
  measure: string;
  label: string;
  unit: Unit;
  upIsGood: boolean;
  /** what the card's link opens, in words (screen readers and the tooltip) */
  drillLabel: string;
  /** what the number means, under its label, where the label alone could mislead */
  footnote?: string;
  href: (range: DateRange | null, time: NonNullable<Query["time"]>) => string;
}

export const KPIS: KpiDefinition[] = [
  {
    measure: "revenue",
    label: "Revenue",
    unit: "cents",
    upIsGood: true,
    drillLabel: "Patients seen in this period, top spenders first",
    href: (range) => patientsHref({ filters: lastVisitIn(range), sort: { id: "spend", dir: "desc" } }),
  },
  {
    measure: "visit_count",
    label: "Visits",
    unit: "count",
    upIsGood: true,
    drillLabel: "Patients seen in this period",
    href: (range) => patientsHref({ filters: lastVisitIn(range), sort: { id: "last", dir: "desc" } }),
  },
  {
    measure: "new_patient_count",
    label: "New patients",
    unit: "count",
    upIsGood: true,
    drillLabel: "The patients whose first visit was in this period",
    footnote: "first visit in this period",
    href: (range) => patientsHref({ filters: firstVisitIn(range), sort: { id: "since", dir: "desc" } }),
  },
  {
    measure: "average_ticket",
    label: "Average ticket",
    unit: "cents",
    upIsGood: true,
    drillLabel: "Patients seen in this period, top spenders first",
    href: (range) => patientsHref({ filters: lastVisitIn(range), sort: { id: "spend", dir: "desc" } }),
  },
  {
    measure: "returning_patient_rate",
    label: "Returning patients",
    unit: "ratio",
    upIsGood: true,
    drillLabel: "Patients seen in this period, most visits first",
    footnote: "of this period's patients, had visited before",
    href: (range) => patientsHref({ filters: lastVisitIn(range), sort: { id: "visits", dir: "desc" } }),
  },
  {
    measure: "cancellation_rate",
    label: "Cancellation rate",
    unit: "ratio",
    upIsGood: false,
    drillLabel: "Cancellations by service in Explore",
    href: (_range, time) =>
      exploreHref({
        measures: ["cancellation_rate"],
        dimensions: ["service.name"],
        time: { range: time.range },
        order: [{ field: "cancellation_rate", dir: "desc" }],
      } as Query),
  },
];

export const KPI_MEASURES = KPIS.map((k) => k.measure);
