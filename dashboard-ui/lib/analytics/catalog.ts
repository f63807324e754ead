/**
 * `GET /api/catalog` (its generated type), indexed for the UI: members by name, and which dimensions
 * each measure can be grouped by (those that partition it, then those where groups overlap).
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
  /** every dimension it may be grouped by: `groupable_by`, then `groupable_overlapping_by` */
  groupable: string[];
  defaultTime: string | null;
  /** the measure to use instead when grouped by a dimension this one cannot be split by */
  splitMeasure: string | null;
}

export interface CatalogDimension {
  name: string;
  label: string;
  description: string;
  type: string;
  unit: string | null;
  isTime: boolean;
  grains: string[];
  pii: boolean;
  filterOnly: boolean;
  span: { start: string | null; end: string } | null;
  entity: string;
  /** filter ops the dimension takes */
  ops: string[];
}

export interface NormalizedCatalog {
  asOf: string | null;
  measures: CatalogMeasure[];
  dimensions: CatalogDimension[];
  measure: (name: string) => CatalogMeasure | undefined;
  dimension: (name: string) => CatalogDimension | undefined;
}

export function normalizeCatalog(raw: Catalog): NormalizedCatalog {
  const measures: CatalogMeasure[] = raw.measures.map((m) => ({
    name: m.name,
    label: m.label,
    description: m.description,
    unit: m.unit,
    format: m.format ?? null,
    type: m.type,
    synonyms: m.synonyms,
    groupable: [...m.groupable_by, ...m.groupable_overlapping_by],
    defaultTime: m.default_time_dimension ?? null,
    splitMeasure: m.split_measure ?? null,
  }));
  const dimensions: CatalogDimension[] = raw.dimensions.map((d) => ({
    name: d.name,
    label: d.label,
    description: d.description,
    type: d.type,
    unit: d.unit ?? null,
    isTime: d.kind === "time",
    grains: d.grains,
    pii: d.pii,
    filterOnly: d.filter_only,
    span: d.span ? { start: d.span.start ?? null, end: d.span.end } : null,
    entity: d.entity,
    ops: d.ops,
  }));
  const byMeasure = new Map(measures.map((m) => [m.name, m]));
  const byDimension = new Map(dimensions.map((d) => [d.name, d]));
  return {
    asOf: raw.as_of ?? null,
    measures,
    dimensions,
    measure: (name) => byMeasure.get(name),
    dimension: (name) => byDimension.get(name),
  };
}

/** The measure to ask instead of `measure` when grouping by `dimension`: its split measure (revenue ->
 * line_revenue) when that one can be grouped by it, else null. */
export function splitFor(catalog: NormalizedCatalog, measure: string, dimension: string): string | null {
  const split = catalog.measure(measure)?.splitMeasure ?? null;
  return split && canGroup(catalog, [split], dimension) ? split : null;
}

/** Can every one of `measures` be grouped by `dimension`? (an unknown measure: the engine will say.) */
export function canGroup(catalog: NormalizedCatalog, measures: string[], dimension: string): boolean {
  return measures.every((name) => {
    const measure = catalog.measure(name);
    return !measure || measure.groupable.includes(dimension);
  });
}
