/**
 * Turns the patient table's state into contract queries (shared/docs/query-api.md).
 * The list is a dimensions-only query at patient grain; every relative date is computed from
 * the data's as_of, never the wall clock.
 */
import type { Filter, Query } from "@/lib/api/types";
import { addDays, startOfMonth } from "@/lib/dates";

import type { PatientFilters, PatientTableState, Sort, SortId, ViewId } from "./search-params";

/** Every column the table, its cards and the CSV need. */
export const PATIENT_DIMENSIONS = [
  "patient.id",
  "patient.name",
  "patient.first_name",
  "patient.last_name",
  "patient.age",
  "patient.phone",
  "patient.next_appointment_at",
  "patient.next_appointment_service",
  "patient.next_appointment_provider",
  "patient.next_appointment_status",
  "patient.last_visit_at",
  "patient.last_visit_service",
  "patient.visit_count",
  "patient.lifetime_spend",
  "patient.unpaid_visit_count",
  "patient.balance_due",
  "patient.source",
  "patient.first_visit_at",
  "patient.created_at",
] as const;

/** Sort key of a column → the order fields sent (the engine then breaks ties by patient id). */
export const SORT_FIELDS: Record<SortId, string[]> = {
  patient: ["patient.last_name", "patient.first_name"],
  phone: ["patient.phone"],
  next: ["patient.next_appointment_at"],
  last: ["patient.last_visit_at"],
  visits: ["patient.visit_count"],
  spend: ["patient.lifetime_spend"],
  balance: ["patient.balance_due"],
  source: ["patient.source"],
  since: ["patient.first_visit_at"],
};

export interface QuickView {
  id: ViewId;
  label: string;
  /** What the view means, in words (tooltip and screen readers). */
  description: string;
  /** Order used when the URL has none. */
  defaultSort: Sort;
  /** Filters of the view; null while as_of is not known yet (the view cannot be resolved). */
  filters: (asOf: string) => Filter[];
  needsAsOf: boolean;
  /** The view is the day schedule (GET /api/schedule), not a patient listing. */
  schedule?: boolean;
}

const on = (field: string, from: string, toExclusive: string): Filter[] => [
  { field, op: "gte", value: from },
  { field, op: "lt", value: toExclusive },
];

export const QUICK_VIEWS: QuickView[] = [
  {
    id: "all",
    label: "All patients",
    description: "Every patient on the books",
    defaultSort: { id: "patient", dir: "asc" },
    filters: () => [],
    needsAsOf: false,
  },
  {
    id: "today",
    label: "Today",
    // The day's appointments from GET /api/schedule, in time order (any day can be picked).
    description: "The day's appointments in time order",
    defaultSort: { id: "next", dir: "asc" },
    filters: () => [],
    needsAsOf: false,
    schedule: true,
  },
  {
    id: "next7",
    label: "Next 7 days",
    description: "Next appointment within the coming 7 days",
    defaultSort: { id: "next", dir: "asc" },
    filters: (asOf) => on("patient.next_appointment_at", addDays(asOf, 1), addDays(asOf, 8)),
    needsAsOf: true,
  },
  {
    id: "new",
    label: "New this month",
    description: "First visit in the current month",
    defaultSort: { id: "since", dir: "desc" },
    filters: (asOf) => on("patient.first_visit_at", startOfMonth(asOf), addDays(asOf, 1)),
    needsAsOf: true,
  },
  {
    id: "lapsed",
    label: "Lapsed 90+ days",
    description: "Had a visit, none in the last 90 days, and nothing booked",
    defaultSort: { id: "spend", dir: "desc" },
    // The catalog's own definition (metrics.yaml `patient.is_lapsed`: last visit before the
    // last_90_days range, nothing upcoming), so this count matches Analytics to the patient.
    filters: () => [{ field: "patient.is_lapsed", op: "equals", value: true }],
    needsAsOf: false,
  },
  {
    id: "never",
    label: "Never booked",
    description: "No visit yet and nothing booked",
    defaultSort: { id: "since", dir: "desc" },
    filters: () => [
      { field: "patient.first_visit_at", op: "is_null" },
      { field: "patient.next_appointment_at", op: "is_null" },
    ],
    needsAsOf: false,
  },
  {
    id: "unpaid",
    label: "Owes money",
    // patient.balance_due: the list prices of their visits minus what was paid (pending and failed
    // payments pay nothing); above 0 exactly when a visit has no paid payment.
    description: "A visit not fully paid: pending and failed payments pay nothing",
    defaultSort: { id: "balance", dir: "desc" },
    filters: () => [{ field: "patient.balance_due", op: "gt", value: 0 }],
    needsAsOf: false,
  },
];

export function quickView(id: ViewId): QuickView {
  return QUICK_VIEWS.find((view) => view.id === id) ?? QUICK_VIEWS[0]!;
}

const range = (field: string, min: number | null, max: number | null, scale = 1): Filter[] => {
  if (min !== null && max !== null) return [{ field, op: "between", values: [min * scale, max * scale] }];
  if (min !== null) return [{ field, op: "gte", value: min * scale }];
  if (max !== null) return [{ field, op: "lte", value: max * scale }];
  return [];
};

/** A date range (inclusive in the UI) as the engine's [gte, lt) pair. */
const dates = (field: string, range: { from: string | null; to: string | null } | null): Filter[] => [
  ...(range?.from ? [{ field, op: "gte" as const, value: range.from }] : []),
  ...(range?.to ? [{ field, op: "lt" as const, value: addDays(range.to, 1) }] : []),
];

/** The chip filters (not the quick view, not the search). */
export function chipFilters(filters: PatientFilters): Filter[] {
  const out: Filter[] = [];
  if (filters.source.length) out.push({ field: "patient.source", op: "in", values: filters.source });
  if (filters.gender.length) out.push({ field: "patient.gender", op: "in", values: filters.gender });
  if (filters.age) out.push(...range("patient.age", filters.age.min, filters.age.max));
  out.push(...dates("patient.last_visit_at", filters.lastVisit));
  out.push(...dates("patient.first_visit_at", filters.firstVisit));
  if (filters.owedIn) {
    // one visit in the range that still owes: both filters hold on the same appointment (one EXISTS)
    out.push(...dates("appointment.start_at", filters.owedIn), { field: "appointment.amount_due", op: "gt", value: 0 });
  }
  if (filters.upcoming === "yes") out.push({ field: "patient.next_appointment_at", op: "is_not_null" });
  if (filters.upcoming === "no") out.push({ field: "patient.next_appointment_at", op: "is_null" });
  if (filters.spend) out.push(...range("patient.lifetime_spend", filters.spend.min, filters.spend.max, 100));
  if (filters.service.length) out.push({ field: "service.name", op: "in", values: filters.service });
  if (filters.provider.length) out.push({ field: "provider.name", op: "in", values: filters.provider });
  return out;
}

export function searchFilters(search: string): Filter[] {
  const text = search.trim();
  return text ? [{ field: "patient.search", op: "search", value: text }] : [];
}

/** All filters of a view: quick view + chips + search. */
export function viewFilters(view: ViewId, filters: PatientFilters, search: string, asOf: string | null): Filter[] | null {
  const definition = quickView(view);
  if (definition.needsAsOf && !asOf) return null;
  return [...definition.filters(asOf ?? ""), ...chipFilters(filters), ...searchFilters(search)];
}

export function effectiveSort(state: Pick<PatientTableState, "view" | "sort">): Sort {
  return state.sort ?? quickView(state.view).defaultSort;
}

export function orderFor(sort: Sort): Query["order"] {
  return SORT_FIELDS[sort.id].map((field) => ({ field, dir: sort.dir }));
}

/** While searching with no sort picked, the engine's own order: best matches first, then by name. */
export function bestMatchFirst(state: Pick<PatientTableState, "sort">, search: string): boolean {
  return search.trim() !== "" && state.sort === null;
}

/** The page of rows the table shows; null until as_of is known for a relative view. A search also reads the
 * email (not shown): whether the best row holds every word decides "Did you mean". */
export function listQuery(state: PatientTableState, search: string, asOf: string | null): Query | null {
  const filters = viewFilters(state.view, state.filters, search, asOf);
  if (!filters) return null;
  return {
    dimensions: search.trim() ? [...PATIENT_DIMENSIONS, "patient.email"] : [...PATIENT_DIMENSIONS],
    filters,
    ...(bestMatchFirst(state, search) ? {} : { order: orderFor(effectiveSort(state)) }),
    limit: state.pageSize,
    offset: state.pageIndex * state.pageSize,
  };
}

/** A count-only query (limit 0 → just total_rows). */
export function countQuery(view: ViewId, filters: PatientFilters, search: string, asOf: string | null): Query | null {
  if (quickView(view).schedule) return null;
  const all = viewFilters(view, filters, search, asOf);
  if (!all) return null;
  return { dimensions: ["patient.id"], filters: all, limit: 0 };
}
