/**
 * Explore's state is one contract query, kept in the URL as `?q=<JSON>` (nuqs `parseAsJson`) so that
 * a link shares exactly the query (and the Ask panel can open any query an answer ran). The JSON is
 * validated defensively: unknown keys are dropped, wrong shapes fall back to nothing rather than throwing.
 */
import { createSerializer, parseAsJson } from "nuqs";

import type { Filter, FilterOp, Query } from "@/lib/api/types";

export const DEFAULT_EXPLORE_QUERY: Query = {
  measures: ["revenue"],
  time: { grain: "month", range: "last_12_months" },
};

const GRAINS = ["day", "week", "month", "quarter", "year"] as const;
const COMPARES = ["previous_period", "previous_year"] as const;
const OPS: FilterOp[] = [
  "equals", "not_equals", "in", "not_in", "contains", "starts_with", "gt", "gte", "lt", "lte", "between", "is_null", "is_not_null", "search",
];

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.length > 0) : [];
const scalar = (v: unknown): v is string | number | boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

function parseTime(value: unknown): Query["time"] | undefined {
  if (!value || typeof value !== "object") return undefined;
  const t = value as Record<string, unknown>;
  const time: NonNullable<Query["time"]> = {};
  if (typeof t.dimension === "string" && t.dimension) time.dimension = t.dimension;
  if (GRAINS.includes(t.grain as (typeof GRAINS)[number])) time.grain = t.grain as (typeof GRAINS)[number];
  if (typeof t.range === "string" && t.range) time.range = t.range;
  else if (Array.isArray(t.range) && t.range.length === 2 && typeof t.range[0] === "string" && typeof t.range[1] === "string") {
    time.range = [t.range[0], t.range[1]];
  }
  if (COMPARES.includes(t.compare as (typeof COMPARES)[number])) time.compare = t.compare as (typeof COMPARES)[number];
  return Object.keys(time).length ? time : undefined;
}

/** Ops that take a list in `values`; null ops take nothing; every other op one `value`. */
export const LIST_OPS: FilterOp[] = ["in", "not_in", "between"];
export const NO_VALUE_OPS: FilterOp[] = ["is_null", "is_not_null"];

/** A filter in the contract's shape: `value` for single-value ops, `values` for lists. */
export function normalizeFilter(field: string, op: FilterOp, value: unknown, values: unknown): Filter {
  const list = Array.isArray(values) ? values.filter(scalar) : scalar(value) ? [value] : [];
  if (NO_VALUE_OPS.includes(op)) return { field, op };
  if (LIST_OPS.includes(op)) return { field, op, ...(list.length ? { values: list } : {}) };
  const single = scalar(value) ? value : list[0];
  return { field, op, ...(single !== undefined ? { value: single } : {}) };
}

function parseFilters(value: unknown): Filter[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((f): Filter[] => {
    if (!f || typeof f !== "object") return [];
    const { field, op, values, value: single } = f as Record<string, unknown>;
    if (typeof field !== "string" || !OPS.includes(op as FilterOp)) return [];
    return [normalizeFilter(field, op as FilterOp, single, values)];
  });
}

/** The JSON of `?q=` → a query, or null when it is none (nuqs then uses the default). */
export function exploreQueryFrom(raw: unknown): Query | null {
  if (!raw || typeof raw !== "object") return null;
  const q = raw as Record<string, unknown>;
  const query: Query = {};
  const measures = strings(q.measures);
  const dimensions = strings(q.dimensions);
  if (measures.length) query.measures = measures;
  if (dimensions.length) query.dimensions = dimensions;
  const time = parseTime(q.time);
  if (time) query.time = time;
  const filters = parseFilters(q.filters);
  if (filters.length) query.filters = filters;
  if (Array.isArray(q.having)) {
    const having = (q.having as unknown[]).filter(
      (h): h is NonNullable<Query["having"]>[number] => !!h && typeof h === "object" && typeof (h as { field?: unknown }).field === "string",
    );
    if (having.length) query.having = having;
  }
  if (Array.isArray(q.order)) {
    const order = (q.order as unknown[]).flatMap((o) => {
      const { field, dir } = (o ?? {}) as Record<string, unknown>;
      return typeof field === "string" && (dir === "asc" || dir === "desc") ? [{ field, dir: dir as "asc" | "desc" }] : [];
    });
    if (order.length) query.order = order;
  }
  if (typeof q.limit === "number" && q.limit >= 0) query.limit = Math.floor(q.limit);
  if (typeof q.offset === "number" && q.offset >= 0) query.offset = Math.floor(q.offset);
  if (typeof q.as_of === "string") query.as_of = q.as_of;
  return query.measures || query.dimensions ? query : null;
}

/** A query with its empty parts left out (what goes into the URL). */
export function compactQuery(query: Query): Query {
  const clean: Query = {};
  if (query.measures?.length) clean.measures = query.measures;
  if (query.dimensions?.length) clean.dimensions = query.dimensions;
  if (query.time && Object.values(query.time).some((v) => v !== undefined)) clean.time = query.time;
  if (query.filters?.length) clean.filters = query.filters;
  if (query.having?.length) clean.having = query.having;
  if (query.order?.length) clean.order = query.order;
  if (query.limit !== undefined) clean.limit = query.limit;
  if (query.offset) clean.offset = query.offset;
  if (query.as_of) clean.as_of = query.as_of;
  return clean;
}

/** `?q=<JSON>`: the query (validated), the default when absent or unreadable. */
export const exploreParser = parseAsJson(exploreQueryFrom).withDefault(DEFAULT_EXPLORE_QUERY);
const serializeExplore = createSerializer({ q: exploreParser });

/** `/explore?q=<the query as JSON>`. */
export function exploreHref(query: Query): string {
  return serializeExplore("/explore", { q: compactQuery(query) });
}

/** Does the query ask for anything? */
export const isRunnable = (query: Query) => !!(query.measures?.length || query.dimensions?.length);

/** The query as sent: filters still being typed (no value yet) are left out. */
export function runnableQuery(query: Query): Query {
  const filters = (query.filters ?? []).filter(
    (f) =>
      NO_VALUE_OPS.includes(f.op) ||
      (LIST_OPS.includes(f.op) ? (f.values?.length ?? 0) >= (f.op === "between" ? 2 : 1) : f.value !== undefined && f.value !== ""),
  );
  const { filters: _drop, ...rest } = query;
  return filters.length ? { ...rest, filters } : rest;
}
