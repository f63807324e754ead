/**
 * Calendar arithmetic on the API's naive ISO strings ("2025-11-26", "2025-11-17T09:00:00").
 * They are clinic-local wall times with no zone, so all maths runs in UTC to avoid any shift by
 * the browser's own zone. Relative ranges are always computed against the data's as_of date.
 */

/** "2025-11-17T09:00:00" or "2025-11-17" → a Date whose UTC fields are those wall-clock fields. */
export function parseNaive(iso: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso);
  if (!match) return new Date(Number.NaN);
  const [, y, mo, d, h = "0", mi = "0", s = "0"] = match;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** The date part as "YYYY-MM-DD". */
export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const date = parseNaive(isoDate);
  date.setUTCDate(date.getUTCDate() + days);
  return toIsoDate(date);
}

export function startOfMonth(isoDate: string): string {
  return `${isoDate.slice(0, 7)}-01`;
}

export function addMonths(isoDate: string, months: number): string {
  const date = parseNaive(isoDate);
  return toIsoDate(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, date.getUTCDate())));
}

/** Whole calendar days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  const a = parseNaive(from.slice(0, 10)).getTime();
  const b = parseNaive(to.slice(0, 10)).getTime();
  return Math.round((b - a) / 86_400_000);
}
