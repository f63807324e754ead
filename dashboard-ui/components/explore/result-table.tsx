import { ChartTable } from "@/components/charts/chart-table";
import { formatBucket, formatValue, unitOf } from "@/lib/analytics/format";
import type { QueryResponse } from "@/lib/api/types";

import { formatMember } from "./result-chart";

/** Every column of a response with its label; measures formatted exactly by unit. */
export function ResultTable({ response, grain, caption = "Query result" }: { response: QueryResponse; grain?: string | null; caption?: string }) {
  const columns = response.columns.map((c) => {
    const label = (c as { label?: string }).label ?? c.name;
    if (c.kind === "measure") {
      const unit = unitOf(c.name, response.columns);
      return { key: c.name, label, numeric: true, format: (v: string | number | null) => formatValue(v, unit) };
    }
    if (c.name === "time") return { key: c.name, label, format: (v: string | number | null) => formatBucket(v, grain ?? "day") };
    return { key: c.name, label, format: (v: string | number | null) => (v === null ? "—" : typeof v === "number" ? String(v) : formatMember(v)) };
  });
  return <ChartTable caption={caption} columns={columns} rows={response.rows} maxHeight={480} />;
}
