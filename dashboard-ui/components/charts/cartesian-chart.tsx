"use client";

import { useId, useMemo, useState, type KeyboardEvent, type PointerEvent } from "react";

import { cn } from "@/lib/utils";

import { colorAt, COMPARISON_COLOR, labelStride, niceTicks } from "./chart-config";
import type { ChartProps, ChartRow } from "./types";
import { useWidth } from "./use-width";

export interface CartesianChartProps extends ChartProps {
  type: "line" | "bar";
  /** bars: stack the categories (else side by side) */
  stacked?: boolean;
  /** categories drawn as the comparison (muted, dashed) */
  comparison?: string[];
  /** click / Enter on a bar or point: the row and the category under focus */
  onSelect?: (row: ChartRow, category: string) => void;
  /** what Enter does, for the keyboard hint ("open patients") */
  selectHint?: string;
  /** index values of buckets not wholly inside the range (meta.partial_periods): drawn hatched / dashed */
  partial?: string[];
}

const M = { top: 12, right: 12, bottom: 28, left: 56 };

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * A responsive SVG line or bar chart over rows/index/categories. Keyboard: focus the chart, move
 * with ←/→ (and ↑/↓ between stacked series), Enter drills down; the focused point's values are
 * announced. The exact numbers are also in each card's table alternative.
 */
export function CartesianChart({
  rows,
  index,
  categories,
  labels = {},
  colors = {},
  valueFormatter = (v) => (v === null ? "—" : String(v)),
  axisFormatter = (v) => String(v),
  indexFormatter = (v) => String(v ?? "—"),
  ariaLabel,
  height = 240,
  className,
  type,
  stacked = false,
  comparison = [],
  onSelect,
  selectHint,
  partial = [],
}: CartesianChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [active, setActive] = useState<number | null>(null);
  const [activeCat, setActiveCat] = useState(0);
  const [focused, setFocused] = useState(false);
  const describedBy = useId();
  const hatchId = useId().replace(/:/g, "");
  const partialSet = useMemo(() => new Set(partial.map((p) => p.slice(0, 10))), [partial]);
  const isPartial = (i: number) => {
    const key = rows[i]?.[index];
    return typeof key === "string" && partialSet.has(key.slice(0, 10));
  };

  const colorOf = (category: string, i: number) =>
    colors[category] ?? (comparison.includes(category) ? COMPARISON_COLOR : colorAt(i));
  const labelOf = (category: string) => labels[category] ?? category;

  const innerW = Math.max(40, width - M.left - M.right);
  const innerH = height - M.top - M.bottom;
  const n = rows.length;
  const band = n > 0 ? innerW / n : innerW;

  const max = useMemo(() => {
    let top = 0;
    for (const row of rows) {
      if (type === "bar" && stacked) {
        top = Math.max(top, categories.reduce((sum, c) => sum + (num(row[c]) ?? 0), 0));
      } else {
        for (const c of categories) top = Math.max(top, num(row[c]) ?? 0);
      }
    }
    return top;
  }, [rows, categories, type, stacked]);
  const ticks = niceTicks(max);
  const yMax = ticks[ticks.length - 1] || 1;
  const y = (v: number) => M.top + innerH * (1 - v / yMax);
  const xCenter = (i: number) => M.left + band * i + band / 2;
  const stride = labelStride(n, Math.floor(innerW / 64));

  const select = (i: number, category: string) => {
    const row = rows[i];
    if (row && onSelect) onSelect(row, category);
  };

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const i = Math.floor((event.clientX - box.left - M.left) / band);
    setActive(i >= 0 && i < n ? i : null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (n === 0) return;
    const current = active ?? -1;
    const drawn = categories.filter((c) => !comparison.includes(c));
    let handled = true;
    if (event.key === "ArrowRight") setActive(Math.min(n - 1, current + 1));
    else if (event.key === "ArrowLeft") setActive(Math.max(0, current < 0 ? n - 1 : current - 1));
    else if (event.key === "Home") setActive(0);
    else if (event.key === "End") setActive(n - 1);
    else if (event.key === "ArrowUp" && drawn.length > 1) setActiveCat((c) => (c + 1) % drawn.length);
    else if (event.key === "ArrowDown" && drawn.length > 1) setActiveCat((c) => (c - 1 + drawn.length) % drawn.length);
    else if ((event.key === "Enter" || event.key === " ") && active !== null && onSelect) select(active, drawn[activeCat] ?? drawn[0]!);
    else if (event.key === "Escape") setActive(null);
    else handled = false;
    if (handled) event.preventDefault();
  };

  const barCats = categories;
  const groupW = band * 0.72;
  const barW = type === "bar" && !stacked ? groupW / Math.max(1, barCats.length) : groupW;

  const activeRow = active !== null ? rows[active] : undefined;
  const drawnCats = categories.filter((c) => !comparison.includes(c));
  const announce = activeRow
    ? `${indexFormatter(activeRow[index] ?? null)}: ${categories
        .map((c) => `${labelOf(c)} ${valueFormatter(num(activeRow[c]), c)}`)
        .join(", ")}${stacked && drawnCats.length > 1 ? `. Selected: ${labelOf(drawnCats[activeCat] ?? "")}` : ""}`
    : "";
  const tooltipLeft = active !== null ? Math.min(Math.max(xCenter(active), 90), width - 90) : 0;

  return (
    <div
      ref={ref}
      className={cn("relative w-full select-none rounded-control outline-none focus-visible:ring-2 focus-visible:ring-primary", className)}
      role="group"
      aria-roledescription="chart"
      aria-label={ariaLabel}
      aria-describedby={describedBy}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={() => setFocused(true)}
      onBlur={() => {
        setFocused(false);
        setActive(null);
      }}
      data-testid="chart"
    >
      <span id={describedBy} className="sr-only">
        Use the left and right arrow keys to move between points
        {stacked && drawnCats.length > 1 ? ", up and down to change series" : ""}
        {onSelect ? `, Enter to ${selectHint ?? "drill down"}` : ""}.
      </span>
      <svg
        width={width}
        height={height}
        aria-hidden="true"
        onPointerMove={onPointerMove}
        onPointerLeave={() => !focused && setActive(null)}
        className="block overflow-visible"
      >
        {partialSet.size ? (
          <defs>
            {categories.map((c, ci) => (
              <pattern key={c} id={`${hatchId}-${ci}`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill={colorOf(c, ci)} opacity={0.3} />
                <line x1="0" y1="0" x2="0" y2="6" stroke={colorOf(c, ci)} strokeWidth="3" />
              </pattern>
            ))}
          </defs>
        ) : null}
        {ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={M.left + innerW} y1={y(t)} y2={y(t)} stroke="rgb(var(--color-border))" strokeDasharray={t === 0 ? undefined : "2 4"} />
            <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end" className="fill-muted text-[11px] tabular-nums">
              {axisFormatter(t)}
            </text>
          </g>
        ))}
        {rows.map((row, i) =>
          i % stride === 0 ? (
            <text key={i} x={xCenter(i)} y={height - 8} textAnchor="middle" className="fill-muted text-[11px]">
              {indexFormatter(row[index] ?? null, { short: true })}
            </text>
          ) : null,
        )}
        {active !== null ? (
          <rect x={M.left + band * active} y={M.top} width={band} height={innerH} fill="rgb(var(--color-subtle))" opacity={0.7} />
        ) : null}

        {type === "bar"
          ? rows.map((row, i) => {
              let base = 0;
              return (
                <g key={i}>
                  {barCats.map((c, ci) => {
                    const v = num(row[c]) ?? 0;
                    const x = stacked ? xCenter(i) - groupW / 2 : xCenter(i) - groupW / 2 + ci * barW;
                    const y0 = stacked ? y(base + v) : y(v);
                    const h = stacked ? y(base) - y(base + v) : y(0) - y(v);
                    if (stacked) base += v;
                    const isActive = active === i && drawnCats[activeCat] === c && onSelect;
                    const cut = isPartial(i);
                    return (
                      <rect
                        key={c}
                        x={x}
                        y={y0}
                        width={Math.max(1, barW - (stacked ? 0 : 1))}
                        height={Math.max(0, h)}
                        rx={stacked ? 0 : 2}
                        fill={cut ? `url(#${hatchId}-${ci})` : colorOf(c, ci)}
                        data-partial={cut ? "true" : undefined}
                        stroke={isActive ? "rgb(var(--color-ink))" : stacked ? "rgb(var(--color-surface))" : "none"}
                        strokeWidth={isActive ? 2 : stacked ? 0.5 : 0}
                        className={onSelect ? "cursor-pointer" : undefined}
                        onClick={() => onSelect && select(i, c)}
                      />
                    );
                  })}
                </g>
              );
            })
          : categories.map((c, ci) => {
              // a segment touching a partial bucket is dashed: the line does not seem to collapse there
              let d = "";
              let cutD = "";
              let previous: { x: number; y: number; cut: boolean } | null = null;
              rows.forEach((row, i) => {
                const v = num(row[c]);
                if (v === null) {
                  previous = null;
                  return;
                }
                const point = { x: xCenter(i), y: y(v), cut: isPartial(i) };
                const from: { x: number; y: number; cut: boolean } | null = previous;
                if (from === null) d += `M${point.x.toFixed(1)},${point.y.toFixed(1)}`;
                else if (from.cut || point.cut) {
                  cutD += `M${from.x.toFixed(1)},${from.y.toFixed(1)}L${point.x.toFixed(1)},${point.y.toFixed(1)}`;
                  d += `M${point.x.toFixed(1)},${point.y.toFixed(1)}`;
                } else d += `L${point.x.toFixed(1)},${point.y.toFixed(1)}`;
                previous = point;
              });
              const dashed = comparison.includes(c);
              return (
                <g key={c}>
                  <path
                    d={d}
                    fill="none"
                    stroke={colorOf(c, ci)}
                    strokeWidth={dashed ? 1.75 : 2.25}
                    strokeDasharray={dashed ? "5 4" : undefined}
                    strokeLinejoin="round"
                    strokeLinecap="round"
                  />
                  {cutD ? (
                    <path d={cutD} fill="none" stroke={colorOf(c, ci)} strokeWidth={dashed ? 1.75 : 2.25} strokeDasharray="3 5" strokeLinecap="round" data-partial="true" />
                  ) : null}
                  {rows.map((row, i) => {
                    const v = num(row[c]);
                    if (v === null || (n > 24 && active !== i && !isPartial(i))) return null;
                    return (
                      <circle
                        key={i}
                        cx={xCenter(i)}
                        cy={y(v)}
                        r={active === i ? 4.5 : 3}
                        fill={dashed || isPartial(i) ? "rgb(var(--color-surface))" : colorOf(c, ci)}
                        stroke={colorOf(c, ci)}
                        strokeWidth={1.5}
                        className={onSelect ? "cursor-pointer" : undefined}
                        onClick={() => onSelect && select(i, c)}
                      />
                    );
                  })}
                </g>
              );
            })}
      </svg>

      {activeRow ? (
        <div
          className="pointer-events-none absolute top-0 z-10 min-w-[160px] -translate-x-1/2 rounded-control border border-border bg-surface px-3 py-2 text-label shadow-raised"
          style={{ left: tooltipLeft }}
          data-testid="chart-tooltip"
        >
          <p className="mb-1 font-semibold text-ink">{indexFormatter(activeRow[index] ?? null)}</p>
          <ul className="space-y-0.5">
            {categories.map((c, ci) => (
              <li key={c} className="flex items-center justify-between gap-3">
                <span className="flex items-center gap-1.5 text-muted">
                  <span aria-hidden="true" className="h-2 w-2 rounded-full" style={{ background: colorOf(c, ci) }} />
                  {labelOf(c)}
                </span>
                <span className="font-medium tabular-nums text-ink">{valueFormatter(num(activeRow[c]), c)}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <span className="sr-only" aria-live="polite">
        {focused ? announce : ""}
      </span>
    </div>
  );
}
