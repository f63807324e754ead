/** Number, money and date formatting shared by every view (en-US, USD, tabular figures). */
import { daysBetween, parseNaive } from "./dates";

const LOCALE = "en-US";

const moneyExact = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "USD" });
const moneyWhole = new Intl.NumberFormat(LOCALE, {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
const moneyCompact = new Intl.NumberFormat(LOCALE, {
  style: "currency",
  currency: "USD",
  notation: "compact",
  maximumFractionDigits: 1,
});
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

/** Integer cents → "$1,234.50". */
export function formatMoney(cents: number | null | undefined, options: { whole?: boolean } = {}): string {
  if (cents === null || cents === undefined || Number.isNaN(cents)) return "—";
  return (options.whole ? moneyWhole : moneyExact).format(cents / 100);
}

/** Integer cents → "$12.3K" (cards); pair it with the exact value in a tooltip. */
export function formatMoneyCompact(cents: number | null | undefined): string {
  if (cents === null || cents === undefined || Number.isNaN(cents)) return "—";
  return moneyCompact.format(cents / 100);
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return integer.format(value);
}

const dateFmt = new Intl.DateTimeFormat(LOCALE, { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
const dateShortFmt = new Intl.DateTimeFormat(LOCALE, { month: "short", day: "numeric", timeZone: "UTC" });
const weekdayFmt = new Intl.DateTimeFormat(LOCALE, { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });
const timeFmt = new Intl.DateTimeFormat(LOCALE, { hour: "numeric", minute: "2-digit", timeZone: "UTC" });
const monthYearFmt = new Intl.DateTimeFormat(LOCALE, { month: "short", year: "numeric", timeZone: "UTC" });

/** "Nov 26, 2025" */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = parseNaive(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFmt.format(date);
}

/** "Nov 26" when in as_of's year, else "Nov 26, 2024". */
export function formatDateShort(iso: string | null | undefined, asOf?: string): string {
  if (!iso) return "—";
  const date = parseNaive(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return asOf && asOf.slice(0, 4) === iso.slice(0, 4) ? dateShortFmt.format(date) : dateFmt.format(date);
}

/** "Wed, Nov 26" */
export function formatWeekday(iso: string | null | undefined): string {
  if (!iso) return "—";
  return weekdayFmt.format(parseNaive(iso));
}

/** "9:00 AM" (only when the value carries a time). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso || iso.length < 16) return "";
  return timeFmt.format(parseNaive(iso));
}

/** "Nov 2025" */
export function formatMonthYear(iso: string | null | undefined): string {
  if (!iso) return "—";
  return monthYearFmt.format(parseNaive(iso));
}

const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });

/** "today", "yesterday", "3 weeks ago", "in 5 days", measured from as_of (never the wall clock). */
export function formatRelative(iso: string | null | undefined, asOf: string | null | undefined): string {
  if (!iso || !asOf) return "—";
  const days = daysBetween(asOf, iso);
  const abs = Math.abs(days);
  if (abs < 7) return relative.format(days, "day");
  if (abs < 30) return relative.format(Math.trunc(days / 7), "week");
  if (abs < 365) return relative.format(Math.trunc(days / 30), "month");
  return relative.format(Math.trunc(days / 365), "year");
}

const SOURCE_LABELS: Record<string, string> = {
  instagram: "Instagram",
  google: "Google",
  tiktok: "TikTok",
  website: "Website",
  phone: "Phone",
  in_person: "In person",
};

/** A stored enumeration value ("in_person") → words ("In person"). */
export function formatEnum(value: string | null | undefined): string {
  if (!value) return "—";
  const known = SOURCE_LABELS[value];
  if (known) return known;
  const words = value.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "1 visit", "3 visits", "1,204 patients" */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${formatNumber(count)} ${count === 1 ? noun : pluralNoun}`;
}
