import Link from "next/link";

import { cn } from "@/lib/utils";

import { heatColor, heatInk } from "./chart-config";

export interface HeatmapProps {
  /** row keys and labels (e.g. days) */
  rows: { key: number | string; label: string; long?: string }[];
  /** column keys and labels (e.g. hours) */
  columns: { key: number | string; label: string; long?: string }[];
  value: (row: number | string, column: number | string) => number | null;
  format: (value: number | null) => string;
  href?: (row: number | string, column: number | string) => string | null;
  caption: string;
  className?: string;
}

/**
 * A heatmap as a real table: each cell says its value (and its row and column) to screen
 * readers, and is a link when it drills down. Shading is relative to the largest cell.
 */
export function Heatmap({ rows, columns, value, format, href, caption, className }: HeatmapProps) {
  let max = 0;
  for (const r of rows) for (const c of columns) max = Math.max(max, value(r.key, c.key) ?? 0);
  return (
    <div className={cn("relative overflow-x-auto", className)}>
      <table className="w-full border-separate border-spacing-[3px] text-[11px]" data-testid="heatmap">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="w-10">
              <span className="sr-only">Day</span>
            </th>
            {columns.map((c) => (
              <th key={c.key} scope="col" className="min-w-[30px] pb-1 text-center font-medium text-muted">
                <abbr title={c.long ?? c.label} className="no-underline">
                  {c.label}
                </abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row" className="pr-1 text-left font-medium text-muted">
                <abbr title={r.long ?? r.label} className="no-underline">
                  {r.label}
                </abbr>
              </th>
              {columns.map((c) => {
                const v = value(r.key, c.key);
                const share = max > 0 && v ? v / max : 0;
                const target = v ? href?.(r.key, c.key) : null;
                const label = `${r.long ?? r.label} ${c.long ?? c.label}: ${format(v)}`;
                const inner = (
                  <span className="block h-full w-full py-1.5 text-center tabular-nums" style={{ color: heatInk(share) }}>
                    {v ? v : <span className="text-muted">·</span>}
                  </span>
                );
                return (
                  <td
                    key={c.key}
                    className="h-8 rounded-[4px] border border-border/60 p-0"
                    style={{ background: heatColor(share) }}
                    title={label}
                  >
                    {target ? (
                      <Link href={target} aria-label={label} className="block rounded-[4px] hover:ring-2 hover:ring-ink/40" data-testid="heat-cell">
                        {inner}
                      </Link>
                    ) : (
                      <span aria-label={label} role="img" className="block">
                        {inner}
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
