import { cn } from "@/lib/utils";

import { heatColor, heatInk } from "./chart-config";

export interface CohortRow {
  key: string;
  label: string;
  size: number;
  /** share per column (e.g. months 1, 2, … after the cohort's month); null = not observable yet */
  shares: (number | null)[];
  counts: (number | null)[];
  /** the column (index into shares) that is still running (the current month so far), if any */
  partialAt?: number | null;
}

const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 0 });
const percent1 = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A retention triangle as a table: cohort, its size, then the share active N periods later. */
export function CohortGrid({
  rows,
  periods,
  periodLabel = (i: number) => `M${i}`,
  caption,
  className,
}: {
  rows: CohortRow[];
  periods: number;
  periodLabel?: (i: number) => string;
  caption: string;
  className?: string;
}) {
  const offsets = Array.from({ length: periods }, (_, i) => i);
  return (
    <div className={cn("relative overflow-x-auto", className)} tabIndex={0} role="region" aria-label={caption}>
      <table className="w-full border-separate border-spacing-[3px] text-[12px]" data-testid="cohort-grid">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="sticky left-0 z-10 min-w-[84px] bg-surface pr-2 text-left font-medium text-muted">
              Cohort
            </th>
            <th scope="col" className="pr-2 text-right font-medium text-muted">
              Patients
            </th>
            {offsets.map((i) => (
              <th key={i} scope="col" className="min-w-[40px] text-center font-medium text-muted">
                {periodLabel(i)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row" className="sticky left-0 z-10 whitespace-nowrap bg-surface pr-2 text-left font-medium text-ink">
                {row.label}
              </th>
              <td className="pr-2 text-right tabular-nums text-muted">{row.size.toLocaleString("en-US")}</td>
              {offsets.map((i) => {
                const share = row.shares[i] ?? null;
                if (share === null) {
                  return <td key={i} aria-label="not yet observable" className="h-7" />;
                }
                // retention shares are small: stretch the shading so 40% already reads as dark
                const shade = Math.min(1, share * 2.5);
                const running = row.partialAt === i;
                return (
                  <td
                    key={i}
                    className={cn(
                      "h-7 rounded-[4px] border text-center tabular-nums",
                      running ? "border-dashed border-muted" : "border-border/60",
                    )}
                    style={{ background: heatColor(shade), color: heatInk(shade) }}
                    title={`${row.label} cohort, ${periodLabel(i)}: ${percent1.format(share)} (${row.counts[i] ?? 0} of ${row.size})${running ? ", the month so far" : ""}`}
                    data-partial={running ? "true" : undefined}
                  >
                    <span aria-hidden="true">
                      {percent.format(share)}
                      {running ? "…" : ""}
                    </span>
                    <span className="sr-only">
                      {percent1.format(share)}, {row.counts[i] ?? 0} of {row.size} patients{running ? ", month so far" : ""}
                    </span>
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
