/**
 * The two action lists and the patient-table views they link to. Each list's query uses exactly
 * the filters its link's view applies, so "12 patients" on the card is the table's count too.
 *
 * They ask for different people: win back = lapsed (no visit for 90 days, nothing booked), highest
 * lifetime spend first; due for a repeat = whose usual interval for a treatment has just passed (within
 * the 30 days after it), nothing booked yet, the most overdue first: a call now, before they lapse.
 */
import { chipFilters, quickView } from "@/components/patients/query";
import { EMPTY_FILTERS, type PatientFilters } from "@/components/patients/search-params";
import type { Query } from "@/lib/api/types";
import { addDays } from "@/lib/dates";

import { patientsHref } from "./links";

export const LIST_DIMENSIONS = [
  "patient.id",
  "patient.name",
  "patient.phone",
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

export const DUE_WINDOW_DAYS = 30;

/** Due for a repeat, as the patient table's chips: had the service, last visit `days` to `days + 30` days
 * before as_of, nothing booked. */
function dueChips(service: string, days: number, asOf: string): PatientFilters {
  const day = asOf.slice(0, 10);
  return {
    ...EMPTY_FILTERS,
    service: [service],
    lastVisit: { from: addDays(day, -(days + DUE_WINDOW_DAYS)), to: addDays(day, -days) },
    upcoming: "no",
  };
}

export function dueQuery(service: string, days: number, asOf: string, limit = 5): Query {
  return {
    dimensions: LIST_DIMENSIONS,
    filters: chipFilters(dueChips(service, days, asOf)),
    order: [{ field: "patient.last_visit_at", dir: "asc" }],
    limit,
  };
}

export function dueHref(service: string, days: number, asOf: string): string {
  return patientsHref({ filters: dueChips(service, days, asOf), sort: { id: "last", dir: "asc" } });
}

/** A list's patients with their contact details, for a call list: the same filters and order, every row. */
export function contactQuery(query: Query): Query {
  const { limit: _limit, ...rest } = query;
  return {
    ...rest,
    dimensions: ["patient.name", "patient.phone", "patient.email", "patient.last_visit_at", "patient.last_visit_service",
      "patient.lifetime_spend", "patient.id"],
  };
}
