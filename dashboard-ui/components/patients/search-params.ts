/**
 * The patient table's view state, as it lives in the URL (nuqs): the single source of truth for the
 * quick view, filters, sort and page (so links share a view and the back button works).
 * The search text is deliberately NOT here: patient names and phone numbers stay out of URLs.
 *
 * ?view=lapsed&source=instagram&source=google&age=25-40&spend=100-&last=2025-01-01..2025-06-30
 *  &first=2025-09-01..2025-11-26&upcoming=yes&service=Botox+Injection&sort=spend.desc&page=2&size=100
 * ?view=today&date=2025-11-20   (the day schedule of that date; default the data's as_of day)
 */
import {
  createParser,
  createSerializer,
  parseAsInteger,
  parseAsNativeArrayOf,
  parseAsNumberLiteral,
  parseAsString,
  parseAsStringLiteral,
  type inferParserType,
} from "nuqs";

export const VIEW_IDS = ["all", "today", "next7", "new", "lapsed", "never", "unpaid"] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const SORT_IDS = ["patient", "phone", "next", "last", "visits", "spend", "balance", "source", "since"] as const;
export type SortId = (typeof SORT_IDS)[number];
export type SortDir = "asc" | "desc";
export interface Sort {
  id: SortId;
  dir: SortDir;
}

export const PAGE_SIZE_OPTIONS = [25, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZE_OPTIONS)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 50;

export interface NumberRange {
  min: number | null;
  max: number | null;
}
export interface DateRange {
  /** inclusive ISO dates */
  from: string | null;
  to: string | null;
}

export interface PatientFilters {
  source: string[];
  gender: string[];
  service: string[];
  provider: string[];
  age: NumberRange | null;
  /** whole dollars in the URL and UI; the query sends cents */
  spend: NumberRange | null;
  lastVisit: DateRange | null;
  /** first visit in the range: the new patients of a period (a drill-down from Analytics) */
  firstVisit: DateRange | null;
  /** a visit in the range that still owes money (a drill-down from Analytics' unpaid visits) */
  owedIn: DateRange | null;
  upcoming: "yes" | "no" | null;
}

export interface PatientTableState {
  view: ViewId;
  filters: PatientFilters;
  /** null: the quick view's default order */
  sort: Sort | null;
  /** 0-based here, 1-based in the URL */
  pageIndex: number;
  pageSize: PageSize;
  /** the day schedule's date (view "today"); null: the data's as_of day */
  date: string | null;
}

export const EMPTY_FILTERS: PatientFilters = {
  source: [],
  gender: [],
  service: [],
  provider: [],
  age: null,
  spend: null,
  lastVisit: null,
  firstVisit: null,
  owedIn: null,
  upcoming: null,
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseNumber(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/** "min-max" (either side may be empty) */
const parseAsNumberRange = createParser<NumberRange>({
  parse(text) {
    const [minText, maxText] = text.split("-");
    const min = parseNumber(minText);
    const max = parseNumber(maxText);
    if (min === null && max === null) return null;
    return min !== null && max !== null && min > max ? { min: max, max: min } : { min, max };
  },
  serialize: (range) => `${range.min ?? ""}-${range.max ?? ""}`,
  eq: (a, b) => a.min === b.min && a.max === b.max,
});

/** "from..to" of inclusive ISO dates (either side may be empty) */
const parseAsDateRange = createParser<DateRange>({
  parse(text) {
    const [fromText = "", toText = ""] = text.split("..");
    const from = ISO_DATE.test(fromText) ? fromText : null;
    const to = ISO_DATE.test(toText) ? toText : null;
    if (!from && !to) return null;
    return from && to && from > to ? { from: to, to: from } : { from, to };
  },
  serialize: (range) => `${range.from ?? ""}..${range.to ?? ""}`,
  eq: (a, b) => a.from === b.from && a.to === b.to,
});

/** "id.dir" */
const parseAsSort = createParser<Sort>({
  parse(text) {
    const [id, dir] = text.split(".");
    if (!SORT_IDS.includes(id as SortId) || (dir !== "asc" && dir !== "desc")) return null;
    return { id: id as SortId, dir };
  },
  serialize: (sort) => `${sort.id}.${sort.dir}`,
  eq: (a, b) => a.id === b.id && a.dir === b.dir,
});

const parseAsIsoDay = createParser<string>({
  parse: (text) => (ISO_DATE.test(text) ? text : null),
  serialize: (text) => text,
});

const list = () => parseAsNativeArrayOf(parseAsString).withDefault([]);

/** Every key of the table's URL, and how each reads and writes. */
export const patientParsers = {
  view: parseAsStringLiteral(VIEW_IDS).withDefault("all"),
  source: list(),
  gender: list(),
  service: list(),
  provider: list(),
  age: parseAsNumberRange,
  spend: parseAsNumberRange,
  last: parseAsDateRange,
  first: parseAsDateRange,
  owed: parseAsDateRange,
  upcoming: parseAsStringLiteral(["yes", "no"] as const),
  sort: parseAsSort,
  page: parseAsInteger.withDefault(1),
  size: parseAsNumberLiteral(PAGE_SIZE_OPTIONS).withDefault(DEFAULT_PAGE_SIZE),
  date: parseAsIsoDay,
};

export type PatientParams = inferParserType<typeof patientParsers>;

const cleanList = (values: string[]): string[] =>
  Array.from(new Set(values.map((v) => v.trim()).filter(Boolean))).sort();

/** URL values → state (nuqs has already dropped malformed values to their defaults). */
export function stateFromParams(params: PatientParams): PatientTableState {
  return {
    view: params.view,
    filters: {
      source: cleanList(params.source),
      gender: cleanList(params.gender),
      service: cleanList(params.service),
      provider: cleanList(params.provider),
      age: params.age,
      spend: params.spend,
      lastVisit: params.last,
      firstVisit: params.first,
      owedIn: params.owed,
      upcoming: params.upcoming,
    },
    sort: params.sort,
    pageIndex: params.page > 1 ? params.page - 1 : 0,
    pageSize: params.size,
    date: params.view === "today" ? params.date : null,
  };
}

/** State → URL values; defaults become null so they leave the URL. */
export function paramsFromState(state: PatientTableState): PatientParams {
  const { filters } = state;
  const emptyRange = (range: NumberRange | null) => (range && (range.min !== null || range.max !== null) ? range : null);
  const emptyDates = (range: DateRange | null) => (range && (range.from || range.to) ? range : null);
  return {
    view: state.view,
    source: cleanList(filters.source),
    gender: cleanList(filters.gender),
    service: cleanList(filters.service),
    provider: cleanList(filters.provider),
    age: emptyRange(filters.age),
    spend: emptyRange(filters.spend),
    last: emptyDates(filters.lastVisit),
    first: emptyDates(filters.firstVisit),
    owed: emptyDates(filters.owedIn),
    upcoming: filters.upcoming,
    sort: state.sort,
    page: state.pageIndex + 1,
    size: state.pageSize,
    date: state.view === "today" ? state.date : null,
  };
}

const serialize = createSerializer(patientParsers);

/** State → query string (without "?"), leaving out every default so URLs stay short. */
export function serializePatientParams(state: PatientTableState): string {
  return serialize(paramsFromState(state)).replace(/^\?/, "");
}

export function countActiveFilters(filters: PatientFilters): number {
  return (
    (filters.source.length ? 1 : 0) +
    (filters.gender.length ? 1 : 0) +
    (filters.service.length ? 1 : 0) +
    (filters.provider.length ? 1 : 0) +
    (filters.age ? 1 : 0) +
    (filters.spend ? 1 : 0) +
    (filters.lastVisit ? 1 : 0) +
    (filters.firstVisit ? 1 : 0) +
    (filters.owedIn ? 1 : 0) +
    (filters.upcoming ? 1 : 0)
  );
}
