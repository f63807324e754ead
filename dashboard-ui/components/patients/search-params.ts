/**
 * The patient table's view state, as it lives in the URL: the single source of truth for the
 * quick view, filters, sort and page (so links share a view and the back button works).
 * The search text is deliberately NOT here: patient names and phone numbers stay out of URLs.
 *
 * ?view=lapsed&source=instagram&source=google&age=25-40&spend=100-&last=2025-01-01..2025-06-30
 *  &upcoming=yes&service=Botox+Injection&provider=Kim+Dixon&sort=spend.desc&page=2&size=100
 */

export const VIEW_IDS = ["all", "today", "next7", "new", "lapsed", "never", "unpaid"] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const SORT_IDS = ["patient", "phone", "next", "last", "visits", "spend", "unpaid", "source", "since"] as const;
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
}

export const EMPTY_FILTERS: PatientFilters = {
  source: [],
  gender: [],
  service: [],
  provider: [],
  age: null,
  spend: null,
  lastVisit: null,
  upcoming: null,
};

type ParamsLike = Pick<URLSearchParams, "get" | "getAll">;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseNumber(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function parseNumberRange(text: string | null): NumberRange | null {
  if (!text) return null;
  const [minText, maxText] = text.split("-");
  const min = parseNumber(minText);
  const max = parseNumber(maxText);
  if (min === null && max === null) return null;
  if (min !== null && max !== null && min > max) return { min: max, max: min };
  return { min, max };
}

function formatNumberRange(range: NumberRange | null): string | null {
  if (!range || (range.min === null && range.max === null)) return null;
  return `${range.min ?? ""}-${range.max ?? ""}`;
}

function parseDateRange(text: string | null): DateRange | null {
  if (!text) return null;
  const [fromText = "", toText = ""] = text.split("..");
  const from = ISO_DATE.test(fromText) ? fromText : null;
  const to = ISO_DATE.test(toText) ? toText : null;
  if (!from && !to) return null;
  if (from && to && from > to) return { from: to, to: from };
  return { from, to };
}

function formatDateRange(range: DateRange | null): string | null {
  if (!range || (!range.from && !range.to)) return null;
  return `${range.from ?? ""}..${range.to ?? ""}`;
}

function cleanList(values: string[]): string[] {
  return Array.from(new Set(values.map((v) => v.trim()).filter(Boolean))).sort();
}

function parseSort(text: string | null): Sort | null {
  if (!text) return null;
  const [id, dir] = text.split(".");
  if (!SORT_IDS.includes(id as SortId) || (dir !== "asc" && dir !== "desc")) return null;
  return { id: id as SortId, dir };
}

/** URL → state. Unknown or malformed values fall back to defaults rather than failing. */
export function parsePatientParams(params: ParamsLike): PatientTableState {
  const view = params.get("view");
  const size = Number(params.get("size"));
  const page = Math.floor(Number(params.get("page")));
  const upcoming = params.get("upcoming");
  return {
    view: VIEW_IDS.includes(view as ViewId) ? (view as ViewId) : "all",
    filters: {
      source: cleanList(params.getAll("source")),
      gender: cleanList(params.getAll("gender")),
      service: cleanList(params.getAll("service")),
      provider: cleanList(params.getAll("provider")),
      age: parseNumberRange(params.get("age")),
      spend: parseNumberRange(params.get("spend")),
      lastVisit: parseDateRange(params.get("last")),
      upcoming: upcoming === "yes" || upcoming === "no" ? upcoming : null,
    },
    sort: parseSort(params.get("sort")),
    pageIndex: Number.isFinite(page) && page > 1 ? page - 1 : 0,
    pageSize: PAGE_SIZE_OPTIONS.includes(size as PageSize) ? (size as PageSize) : DEFAULT_PAGE_SIZE,
  };
}

/** State → query string (without "?"), leaving out every default so URLs stay short. */
export function serializePatientParams(state: PatientTableState): string {
  const params = new URLSearchParams();
  if (state.view !== "all") params.set("view", state.view);
  const { filters } = state;
  for (const key of ["source", "gender", "service", "provider"] as const) {
    for (const value of cleanList(filters[key])) params.append(key, value);
  }
  const age = formatNumberRange(filters.age);
  if (age) params.set("age", age);
  const spend = formatNumberRange(filters.spend);
  if (spend) params.set("spend", spend);
  const last = formatDateRange(filters.lastVisit);
  if (last) params.set("last", last);
  if (filters.upcoming) params.set("upcoming", filters.upcoming);
  if (state.sort) params.set("sort", `${state.sort.id}.${state.sort.dir}`);
  if (state.pageIndex > 0) params.set("page", String(state.pageIndex + 1));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set("size", String(state.pageSize));
  return params.toString();
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
    (filters.upcoming ? 1 : 0)
  );
}
