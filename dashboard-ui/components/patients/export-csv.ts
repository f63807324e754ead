/** CSV of every row matching the current view (quick view + chips + search, current order).
 *
 * The server writes it (`POST /api/patients/export`): all matching rows in one download, column
 * headers from the catalog's labels, money in dollars, and the export recorded in the audit trail.
 */
import { api } from "@/lib/api/client";

import { effectiveSort, orderFor, PATIENT_DIMENSIONS, viewFilters } from "./query";
import type { PatientTableState } from "./search-params";

export async function exportPatientsCsv(
  state: PatientTableState,
  search: string,
  asOf: string | null,
): Promise<{ csv: string; rows: number; asOf: string | null }> {
  const filters = viewFilters(state.view, state.filters, search, asOf);
  if (!filters) throw new Error("The data's date is not known yet; try again in a moment.");
  const { csv, total } = await api.exportPatients({
    dimensions: [...PATIENT_DIMENSIONS],
    filters,
    order: orderFor(effectiveSort(state)),
  });
  return { csv, rows: total, asOf };
}
