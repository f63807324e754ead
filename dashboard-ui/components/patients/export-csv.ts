/** CSV of every row matching the current view (quick view + chips + search, current order). */
import { api } from "@/lib/api/client";
import type { Row } from "@/lib/api/types";
import { toCsv } from "@/lib/csv";

import { effectiveSort, orderFor, PATIENT_DIMENSIONS, viewFilters } from "./query";
import type { PatientTableState } from "./search-params";

const PAGE = 10_000; // the API's cap on `limit`

const COLUMNS: { header: string; value: (row: Row) => string | number | null }[] = [
  { header: "Patient ID", value: (r) => r["patient.id"] ?? null },
  { header: "Name", value: (r) => r["patient.name"] ?? null },
  { header: "Age", value: (r) => r["patient.age"] ?? null },
  { header: "Phone", value: (r) => r["patient.phone"] ?? null },
  { header: "Next appointment", value: (r) => r["patient.next_appointment_at"] ?? null },
  { header: "Next service", value: (r) => r["patient.next_appointment_service"] ?? null },
  { header: "Next provider", value: (r) => r["patient.next_appointment_provider"] ?? null },
  { header: "Next status", value: (r) => r["patient.next_appointment_status"] ?? null },
  { header: "Last visit", value: (r) => r["patient.last_visit_at"] ?? null },
  { header: "Last service", value: (r) => r["patient.last_visit_service"] ?? null },
  { header: "Visits", value: (r) => r["patient.visit_count"] ?? null },
  {
    header: "Lifetime spend (USD)",
    value: (r) => (typeof r["patient.lifetime_spend"] === "number" ? (r["patient.lifetime_spend"] / 100).toFixed(2) : null),
  },
  { header: "Unpaid visits", value: (r) => r["patient.unpaid_visit_count"] ?? null },
  { header: "Source", value: (r) => r["patient.source"] ?? null },
  { header: "First visit", value: (r) => r["patient.first_visit_at"] ?? null },
  { header: "Record created", value: (r) => r["patient.created_at"] ?? null },
];

export async function exportPatientsCsv(
  state: PatientTableState,
  search: string,
  asOf: string | null,
  onProgress?: (done: number, total: number) => void,
): Promise<{ csv: string; rows: number; asOf: string | null }> {
  const filters = viewFilters(state.view, state.filters, search, asOf);
  if (!filters) throw new Error("The data's date is not known yet; try again in a moment.");
  const rows: Row[] = [];
  let total = Infinity;
  let responseAsOf = asOf;
  for (let offset = 0; offset < total; offset += PAGE) {
    const response = await api.query({
      dimensions: [...PATIENT_DIMENSIONS],
      filters,
      order: orderFor(effectiveSort(state)),
      limit: PAGE,
      offset,
    });
    total = response.total_rows;
    responseAsOf = response.meta.as_of ?? responseAsOf;
    rows.push(...response.rows);
    onProgress?.(rows.length, total);
    if (!response.rows.length) break;
  }
  const csv = toCsv(
    COLUMNS.map((column) => column.header),
    rows.map((row) => COLUMNS.map((column) => column.value(row))),
  );
  return { csv, rows: rows.length, asOf: responseAsOf };
}
