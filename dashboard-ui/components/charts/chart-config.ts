/**
 * The one config of chart colours. Series 1-3 are the brand's chart tokens (app/globals.css:
 * --chart-1 sage, --chart-2 gold, --chart-3 deep teal); the rest extend the palette for charts with
 * more categories (sources, payment methods). Charts never carry meaning by colour alone: every
 * series is named in a legend, a tooltip and the table alternative.
 */
export const CHART_COLORS = [
  "rgb(var(--chart-1))",
  "rgb(var(--chart-2))",
  "rgb(var(--chart-3))",
  "#8A6D47", // gold, dark (the gold text token)
  "#8FA893", // sage, light
  "#5E8CA6", // teal, light
  "#B0897A", // clay
  "#57534E", // muted ink
] as const;

/** The comparison (previous period) series: muted, dashed. */
export const COMPARISON_COLOR = "rgb(var(--color-muted) / 0.55)";

/** A category's colour: by position, stable for a given list. */
export function colorAt(index: number): string {
  return CHART_COLORS[index % CHART_COLORS.length]!;
}

/**
 * Heat colour: the primary at an opacity growing with the value (0 → blank), in two bands so that the number
 * written on a cell always reads at 4.5:1 or better: up to 0.68 opacity (dark ink on it, 4.9:1 or more), then
 * from 0.88 (white on it, 5.2:1 or more). Between, neither ink would reach AA, so no cell is shaded there.
 */
const LIGHT_BAND = 0.6; // shares up to this are light cells

function heatAlpha(share: number): number {
  const s = Math.min(1, share);
  return s <= LIGHT_BAND ? 0.08 + s : 0.88 + ((s - LIGHT_BAND) / (1 - LIGHT_BAND)) * 0.12;
}

export function heatColor(share: number): string {
  if (!(share > 0)) return "transparent";
  return `rgb(var(--chart-1) / ${heatAlpha(share).toFixed(3)})`;
}

/** Text colour readable on heatColor(share). */
export function heatInk(share: number): string {
  return share > LIGHT_BAND ? "rgb(var(--color-primary-ink))" : "rgb(var(--color-ink))";
}

/** 0, a nice round step, … up to at least `max` (about `count` steps). */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let value = 0; value < max + step * 0.001; value += step) ticks.push(Math.round(value * 1e9) / 1e9);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

/** Every n-th label so that about `fit` labels show on an axis. */
export function labelStride(count: number, fit: number): number {
  return Math.max(1, Math.ceil(count / Math.max(1, fit)));
}
