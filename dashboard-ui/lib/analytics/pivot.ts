import type { Row } from "@/lib/api/types";

/**
 * Long rows (time, source, n) → wide rows (time, instagram, google, …) for a stacked chart. Only
 * reshapes the engine's numbers; a missing cell stays null (not 0) unless `fill` says otherwise.
 */
export function pivot(
  rows: Row[],
  index: string,
  column: string,
  value: string,
  { fill = null as number | null, order }: { fill?: number | null; order?: "total" | "name" } = {},
): { rows: Row[]; categories: string[] } {
  const totals = new Map<string, number>();
  const byIndex = new Map<string, Row>();
  for (const row of rows) {
    const key = String(row[index] ?? "");
    const category = String(row[column] ?? "(none)");
    const v = row[value];
    totals.set(category, (totals.get(category) ?? 0) + (typeof v === "number" ? v : 0));
    const wide = byIndex.get(key) ?? { [index]: row[index] ?? null };
    wide[category] = typeof v === "number" ? v : null;
    byIndex.set(key, wide);
  }
  let categories = [...totals.keys()];
  categories =
    order === "name" ? categories.sort() : categories.sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0));
  const out = [...byIndex.values()].sort((a, b) => String(a[index]).localeCompare(String(b[index])));
  for (const row of out) for (const c of categories) if (!(c in row)) row[c] = fill;
  return { rows: out, categories };
}

/** Does any row hold a non-zero number in one of `keys`? */
export function hasData(rows: Row[] | undefined, keys: string[]): boolean {
  return !!rows?.some((row) => keys.some((k) => typeof row[k] === "number" && row[k] !== 0));
}
