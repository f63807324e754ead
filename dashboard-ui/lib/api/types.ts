/**
 * The UI's API types: the schemas of `schema.d.ts`, generated from the API's OpenAPI document
 * (`make openapi`), never written by hand. Two widenings, for what the UI builds at run time:
 * - request member names are `string` (the generated type spells each catalog member as a literal, which a
 *   UI building queries from the catalog cannot satisfy; the server validates names and answers
 *   `unknown_member` with suggestions);
 * - rows are `Record<string, string | number | null>` (a row's keys are the query's own members).
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

/** The request body exactly as generated (what openapi-fetch sends). */
export type WireQuery = Schemas["Query"];
type WireFilter = Schemas["Filter"];
type WireHaving = Schemas["Having"];
type WireTime = Schemas["TimeSpec"];

export type FilterOp = WireFilter["op"];
export type FilterValue = string | number | boolean;

/** `value` for single-value ops (equals, gt, search, ...); `values` for in, not_in and between. */
export type Filter = Omit<WireFilter, "field" | "value" | "values"> & {
  field: string;
  value?: FilterValue;
  values?: FilterValue[];
};

export type Query = Omit<WireQuery, "measures" | "dimensions" | "filters" | "having" | "time" | "order"> & {
  measures?: string[];
  dimensions?: string[];
  filters?: Filter[];
  having?: (Omit<WireHaving, "field" | "value" | "values"> & {
    field: string;
    value?: FilterValue;
    values?: FilterValue[];
  })[];
  time?: Omit<WireTime, "dimension" | "range"> & {
    dimension?: string;
    /** a preset name ("last_30_days", ...) or [start, end) ISO dates */
    range?: string | string[] | null;
  };
  order?: { field: string; dir: "asc" | "desc" }[];
};

/** A query row: keyed by member name; numbers are JSON numbers (money in integer cents). */
export type Row = Record<string, string | number | null>;

export type QueryResponse = Omit<Schemas["QueryResponse"], "rows"> & { rows: Row[] };
export type Column = Schemas["Column"];
export type SqlResponse = Schemas["SqlResponse"];
export type Catalog = Schemas["CatalogResponse"];
export type Health = Schemas["Health"];
export type PatientRecord = Schemas["PatientRecord"];
export type PatientAppointment = PatientRecord["appointments"][number];
export type Schedule = Schemas["Schedule"];
export type ScheduledAppointment = Schemas["ScheduledAppointment"];
export type Me = Schemas["Me"];
export type LoginBody = Schemas["LoginBody"];
export type AuditPage = Schemas["AuditPage"];
export type AuditEvent = Schemas["AuditEventOut"];
