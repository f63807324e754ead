import { cn } from "@/lib/utils";

export interface TableColumn {
  key: string;
  label: string;
  /** numbers align right */
  numeric?: boolean;
  format?: (value: string | number | null, row: Record<string, string | number | null>) => string;
}

/** The table alternative of a chart (and Explore's result table): exact values, scrolls sideways. */
export function ChartTable({
  columns,
  rows,
  caption,
  className,
  maxHeight = 360,
}: {
  columns: TableColumn[];
  rows: Record<string, string | number | null>[];
  caption: string;
  className?: string;
  maxHeight?: number | null;
}) {
  return (
    <div
      className={cn("relative overflow-auto rounded-control border border-border", className)}
      style={maxHeight ? { maxHeight } : undefined}
      data-testid="chart-table"
      tabIndex={0}
      role="region"
      aria-label={caption}
    >
      <table className="w-full border-collapse text-body">
        <caption className="sr-only">{caption}</caption>
        <thead className="sticky top-0 z-10 bg-subtle">
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                className={cn("whitespace-nowrap px-3 py-2 text-label font-semibold text-muted", c.numeric ? "text-right" : "text-left")}
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i} className="border-t border-border">
              {columns.map((c) => (
                <td
                  key={c.key}
                  className={cn("whitespace-nowrap px-3 py-1.5", c.numeric ? "text-right tabular-nums" : "text-left")}
                >
                  {c.format ? c.format(row[c.key] ?? null, row) : String(row[c.key] ?? "—")}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
