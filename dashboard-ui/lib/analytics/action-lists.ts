/**
 * The two action lists and the patient-table views they link to. Each list's query uses exactly
 * the filters its link's view applies, so "12 patients" on the card is the table's count too.
 */
import { quickView } from "@/components/patients/query";
import type { Filter, Query } from "@/lib/api/types";
import { addDays } from "@/lib/dates";

import { patientsHref } from "./links";

export const LIST_DIMENSIONS = [
  "patient.id",
  "patient.name",
  "patient.last_visit_at",
  "patient.last_visit_service",
  "patient.lifetime_spend",
  "patient.visit_count",
];

/** Lapsed: a visit once, none in the last 90 days, nothing booked (the patient table's view). */
export function lapsedQuery(asOf: string, limit = 5): Query {
  return {
    dimensions: LIST_DIMENSIONS,
    filters: quickView("lapsed").filters(asOf),
    order: [{ field: "patient.lifetime_spend", dir: "desc" }],
    limit,
  };
}

export const lapsedHref = () => patientsHref({ view: "lapsed", sort: { id: "spend", dir: "desc" } });

/** Typical days between repeat treatments (the clinic's rule of thumb; editable here). */
export const REPEAT_INTERVALS: { service: string; days: number }[] = [
  { service: "Botox Injection", days: 90 },
  { service: "Dermal Filler", days: 180 },
  { service: "HydraFacial", days: 30 },
  { service: "Facial Treatment", days: 30 },
  { service: "Chemical Peel", days: 45 },
  { service: "Microneedling", days: 45 },
  { service: "Laser Hair Removal", days: 45 },
  { service: "RF Skin Tightening", days: 90 },
  { service: "CoolSculpting", days: 90 },
  { service: "Body Contouring", days: 90 },
];

/**
 * Due for a repeat: had the service, no visit for at least its interval, nothing booked. The
 * last visit's date is the patient table's "last visit" filter (up to as_of - interval).
 */
function dueFilters(service: string, days: number, asOf: string): Filter[] {
  return [
    { field: "service.name", op: "in", values: [service] },
    { field: "patient.last_visit_at", op: "lt", value: addDays(asOf, -days + 1) },
    { field: "patient.next_appointment_at", op: "is_null" },
  ];
}

export function dueQuery(service: string, days: number, asOf: string, limit = 5): Query {
  return {
    dimensions: LIST_DIMENSIONS,
    filters: dueFilters(service, days, asOf),
    order: [{ field: "patient.lifetime_spend", dir: "desc" }],
    limit,
  };
}

export function dueHref(service: string, days: number, asOf: string): string {
  return patientsHref({
    filters: { service: [service], lastVisit: { from: null, to: addDays(asOf, -days) }, upcoming: "no" },
    sort: { id: "spend", dir: "desc" },
  });
}
