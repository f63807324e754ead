/**
 * `GET /api/catalog`, read tolerantly: the contract fixes what the catalog says (labels,
 * descriptions, units, kinds, grains, pii, which dimensions each measure can be grouped by, date
 * spans, as_of) but not every key's spelling, so each fact is looked up under the names an engine
 * is likely to use.
 */
import type { Catalog } from "@/lib/api/types";

export interface CatalogMeasure {
  name: string;
  label: string;
  description: string;
  unit: string | null;
  format: string | null;
  type: string;
  synonyms: string[];
  /** null: the catalog does not say (then every dimension is offered and the engine decides) */
  groupable: string[] | null;
  defaultTime: string | null;
}

export interface CatalogDimension {
  name: string;
  label: string;
  description: string;
  type: string;
  isTime: boolean;
  grains: string[];
  pii: boolean;
  filterOnly: boolean;
  span: { start: string | null; end: string } | null;
  entity: string;
  /** filter ops the dimension takes (null: not said) */
  ops: string[] | null;
}

export interface NormalizedCatalog {
  asOf: string | null;
  measures: CatalogMeasure[];
  dimensions: CatalogDimension[];
  measure: (name: string) => CatalogMeasure | undefined;
  dimension: (name: string) => CatalogDimension | undefined;
}

type Loose = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const strList = (value: unknown): string[] | null =>
  Array.isArray(value)
    ? value.map((v) => (typeof v === "string" ? v : str((v as Loose | null)?.name))).filter((v): v is string => !!v)
    : null;

function first<T>(source: Loose, keys: string[], read: (value: unknown) => T | null): T | null {
  for (const key of keys) {
    if (key in source) {
      const value = read(source[key]);
      if (value !== null) return value;
    }
  }
  return null;
}

function spanOf(value: unknown): { start: string | null; end: string } | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Loose;
  const start = str(v.start) ?? str(v.min) ?? str(v.from);
  const end = str(v.end) ?? str(v.max) ?? str(v.to);
  return end ? { start, end } : null;
}

/** A catalog may list members as an array or as an object keyed by name. */
function membersOf(value: unknown): Loose[] {
  if (Array.isArray(value)) return value.filter((v): v is Loose => !!v && typeof v === "object");
  if (value && typeof value === "object") {
    return Object.entries(value as Record<string, Loose>).map(([name, member]) => ({ name, ...member }));
  }
  return [];
}

/**
 * Every dimension a measure may be grouped by: the ones that partition it (`groupable_by`) and,
 * for distinct counts, the ones below its grain where groups overlap (`groupable_overlapping_by`).
 */
function groupableOf(m: Loose): string[] | null {
  const partition = first(m, ["groupable_by", "groupable_dimensions", "group_by", "dimensions", "valid_dimensions", "allowed_dimensions", "groupable"], strList);
  const overlapping = first(m, ["groupable_overlapping_by", "overlapping_dimensions"], strList);
  if (!partition && !overlapping) return null;
  return [...(partition ?? []), ...(overlapping ?? [])];
}

export function normalizeCatalog(raw: Catalog): NormalizedCatalog {
  const source = raw as unknown as Loose;
  const all = [...membersOf(source.members)];
  const measuresRaw = [...membersOf(source.measures), ...membersOf(source.derived_measures), ...all.filter((m) => m.kind === "measure")];
  const dimensionsRaw: Loose[] = [
    ...membersOf(source.dimensions),
    ...membersOf(source.time_dimensions).map((d): Loose => ({ kind: "time", ...d })),
    ...all.filter((m) => m.kind !== "measure"),
  ];
  const spans = (source.spans ?? source.date_spans ?? source.time_spans ?? null) as Loose | null;

  const measures: CatalogMeasure[] = measuresRaw.map((m) => {
    const name = str(m.name) ?? "";
    return {
      name,
      label: str(m.label) ?? name,
      description: str(m.description) ?? "",
      unit: str(m.unit),
      format: str(m.format),
      type: str(m.type) ?? "number",
      synonyms: strList(m.synonyms) ?? [],
      groupable: groupableOf(m),
      defaultTime: first(m, ["default_time_dimension", "time_dimension", "default_time", "time"], str),
    };
  });

  const dimensions: CatalogDimension[] = dimensionsRaw.map((d) => {
    const name = str(d.name) ?? "";
    const type = str(d.type) ?? "string";
    const isTime = d.kind === "time" || type === "time" || type === "datetime" || type === "timestamp";
    return {
      name,
      label: str(d.label) ?? name,
      description: str(d.description) ?? "",
      type,
      isTime,
      grains: first(d, ["grains", "allowed_grains", "time_grains"], strList) ?? (isTime ? ["day", "week", "month", "quarter", "year"] : []),
      pii: d.pii === true,
      filterOnly: d.filter_only === true || d.filterOnly === true,
      span: spanOf(d.span ?? d.date_span ?? d.range ?? d.data_span ?? (spans ? spans[name] : null)),
      entity: str(d.entity) ?? name.split(".")[0] ?? "",
      ops: strList(d.ops),
    };
  });

  const asOf = str(source.as_of) ?? str((source.meta as Loose | undefined)?.as_of) ?? null;
  const byMeasure = new Map(measures.map((m) => [m.name, m]));
  const byDimension = new Map(dimensions.map((d) => [d.name, d]));
  return {
    asOf,
    measures,
    dimensions,
    measure: (name) => byMeasure.get(name),
    dimension: (name) => byDimension.get(name),
  };
}

/** Can every one of `measures` be grouped by `dimension`? (unknown: yes; the engine will say.) */
export function canGroup(catalog: NormalizedCatalog, measures: string[], dimension: string): boolean {
  return measures.every((name) => {
    const groupable = catalog.measure(name)?.groupable;
    return !groupable || groupable.includes(dimension);
  });
}
