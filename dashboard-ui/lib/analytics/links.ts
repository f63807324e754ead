/**
 * Drill-down links. Links into the patient table are built with the patient table's own URL
 * serializer (components/patients/search-params.ts), so they always parse back into the view
 * they describe. What the patient table cannot express (a day-and-hour slot, a payment method,
 * a cohort) drills into Explore with the query in its URL instead.
 */
import {
  DEFAULT_PAGE_SIZE,
  EMPTY_FILTERS,
  serializePatientParams,
  type PatientFilters,
  type Sort,
  type ViewId,
} from "@/components/patients/search-params";
import { addDays } from "@/lib/dates";

export interface PatientLink {
  view?: ViewId;
  filters?: Partial<PatientFilters>;
  sort?: Sort | null;
}

/** `/patients?…` in the patient table's own URL format. */
export function patientsHref({ view = "all", filters = {}, sort = null }: PatientLink = {}): string {
  const query = serializePatientParams({
    view,
    filters: { ...EMPTY_FILTERS, ...filters },
    sort,
    pageIndex: 0,
    pageSize: DEFAULT_PAGE_SIZE,
    date: null,
  });
  return query ? `/patients?${query}` : "/patients";
}

const inclusive = (range: { start: string | null; end: string }) => ({
  from: range.start ? range.start.slice(0, 10) : null,
  to: addDays(range.end.slice(0, 10), -1),
});

/** Patients whose first visit falls in [start, end): the new patients of the period (new_patient_count). */
export function firstVisitIn(range: { start: string | null; end: string } | null | undefined): Partial<PatientFilters> {
  return range ? { firstVisit: inclusive(range) } : {};
}

/** Patients who owe for a visit in [start, end) (unpaid_visit_count's visits, by patient). */
export function owedIn(range: { start: string | null; end: string }): Partial<PatientFilters> {
  return { owedIn: inclusive(range) };
}

/** Patients whose last visit falls in [start, end) (the engine's echoed range; start null = open). */
export function lastVisitIn(range: { start: string | null; end: string } | null | undefined): Partial<PatientFilters> {
  if (!range?.start) return {};
  return { lastVisit: { from: range.start.slice(0, 10), to: addDays(range.end.slice(0, 10), -1) } };
}

export { exploreHref } from "./explore-url";
