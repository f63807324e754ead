"use client";

import { Plus, Trash2 } from "lucide-react";
import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { CatalogDimension } from "@/lib/analytics/catalog";
import { normalizeFilter } from "@/lib/analytics/explore-url";
import type { Filter, FilterOp, FilterValue } from "@/lib/api/types";

const OPS: { id: FilterOp; label: string; arity: 0 | 1 | 2 | "many" }[] = [
  { id: "equals", label: "is", arity: 1 },
  { id: "not_equals", label: "is not", arity: 1 },
  { id: "in", label: "is any of", arity: "many" },
  { id: "not_in", label: "is none of", arity: "many" },
  { id: "contains", label: "contains", arity: 1 },
  { id: "starts_with", label: "starts with", arity: 1 },
  { id: "gt", label: ">", arity: 1 },
  { id: "gte", label: "≥", arity: 1 },
  { id: "lt", label: "<", arity: 1 },
  { id: "lte", label: "≤", arity: 1 },
  { id: "between", label: "between", arity: 2 },
  { id: "is_null", label: "is empty", arity: 0 },
  { id: "is_not_null", label: "is not empty", arity: 0 },
  { id: "search", label: "matches", arity: 1 },
];

const isNumeric = (d: CatalogDimension | undefined) => !!d && ["number", "integer", "decimal", "float"].includes(d.type);
const isDate = (d: CatalogDimension | undefined) => !!d && (d.isTime || d.type === "date");

function opsFor(d: CatalogDimension | undefined) {
  // the catalog says which ops each dimension takes; otherwise guess from its type
  if (d?.ops?.length) {
    const allowed = OPS.filter((o) => d.ops!.includes(o.id));
    if (allowed.length) return allowed;
  }
  if (d?.name.endsWith(".search")) return OPS.filter((o) => o.id === "search");
  if (isNumeric(d) || isDate(d)) return OPS.filter((o) => !["contains", "starts_with", "search"].includes(o.id));
  if (d?.type === "boolean") return OPS.filter((o) => ["equals", "not_equals", "is_null", "is_not_null"].includes(o.id));
  return OPS.filter((o) => !["gt", "gte", "lt", "lte", "between", "search"].includes(o.id));
}

/** Text typed by the user → typed JSON values (numbers are numbers, booleans booleans). */
function typed(text: string, d: CatalogDimension | undefined): FilterValue {
  if (isNumeric(d) && text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  if (d?.type === "boolean") return text === "true";
  return text.trim();
}

function FilterRow({
  filter,
  dimensions,
  onChange,
  onRemove,
  index,
}: {
  filter: Filter;
  dimensions: CatalogDimension[];
  onChange: (f: Filter) => void;
  onRemove: () => void;
  index: number;
}) {
  const dim = dimensions.find((d) => d.name === filter.field);
  const ops = opsFor(dim);
  const op = OPS.find((o) => o.id === filter.op) ?? ops[0]!;
  const current = filter.values ?? (filter.value !== undefined ? [filter.value] : []);
  const [draft, setDraft] = useState(current.map(String));
  const key = JSON.stringify(current);
  useEffect(() => setDraft((JSON.parse(key) as unknown[]).map(String)), [key]);

  const commit = (values: string[]) => {
    const list = op.arity === "many" ? values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean) : values;
    const typedList = list.filter((v) => v !== "").map((v) => typed(v, dim));
    onChange(normalizeFilter(filter.field, filter.op, op.arity === 1 ? typedList[0] : undefined, op.arity === 1 ? undefined : typedList));
  };
  const inputType = isDate(dim) ? "date" : isNumeric(dim) ? "number" : "text";
  const label = dim?.label ?? filter.field;

  return (
    <li className="flex flex-wrap items-center gap-2" data-testid={`filter-${index}`}>
      <Select
        aria-label={`Filter ${index + 1}: field`}
        value={filter.field}
        onChange={(e) => {
          const next = dimensions.find((d) => d.name === e.target.value);
          onChange({ field: e.target.value, op: opsFor(next)[0]!.id });
        }}
        className="max-w-[14rem]"
      >
        {dimensions.map((d) => (
          <option key={d.name} value={d.name}>
            {d.label}
          </option>
        ))}
      </Select>
      <Select
        aria-label={`Filter ${index + 1}: condition`}
        value={op.id}
        onChange={(e) => {
          const next = OPS.find((o) => o.id === e.target.value)!;
          onChange(normalizeFilter(filter.field, next.id, filter.value ?? filter.values?.[0], filter.values ?? (filter.value !== undefined ? [filter.value] : [])));
        }}
      >
        {ops.map((o) => (
          <option key={o.id} value={o.id}>
            {o.label}
          </option>
        ))}
      </Select>
      {op.arity === 1 || op.arity === "many" ? (
        <Input
          aria-label={`Filter ${index + 1}: ${label} value${op.arity === "many" ? "s, separated by commas" : ""}`}
          type={op.arity === "many" ? "text" : inputType}
          className="w-48"
          value={op.arity === "many" ? draft.join(", ") : (draft[0] ?? "")}
          placeholder={op.arity === "many" ? "a, b, c" : "value"}
          onChange={(e) => setDraft(op.arity === "many" ? [e.target.value] : [e.target.value])}
          onBlur={() => commit(draft)}
          onKeyDown={(e) => e.key === "Enter" && commit(draft)}
        />
      ) : null}
      {op.arity === 2 ? (
        <>
          {[0, 1].map((i) => (
            <Input
              key={i}
              aria-label={`Filter ${index + 1}: ${i === 0 ? "from" : "to"}`}
              type={inputType}
              className="w-36"
              value={draft[i] ?? ""}
              onChange={(e) => setDraft((d) => Object.assign([...d], { [i]: e.target.value }))}
              onBlur={() => commit(draft)}
              onKeyDown={(e) => e.key === "Enter" && commit(draft)}
            />
          ))}
        </>
      ) : null}
      <Button variant="ghost" size="icon" onClick={onRemove} aria-label={`Remove filter on ${label}`}>
        <Trash2 aria-hidden="true" className="h-4 w-4 text-muted" />
      </Button>
    </li>
  );
}

/** Filters on dimensions (WHERE), each a field, a condition and typed values. */
export function FilterEditor({
  filters,
  dimensions,
  onChange,
}: {
  filters: Filter[];
  dimensions: CatalogDimension[];
  onChange: (filters: Filter[]) => void;
}) {
  const first = dimensions.find((d) => d.name === "patient.source") ?? dimensions[0];
  return (
    <div className="flex flex-col gap-2" data-testid="filters">
      <span className="text-label font-medium text-muted">Filters</span>
      {filters.length ? (
        <ul className="flex flex-col gap-2">
          {filters.map((f, i) => (
            <FilterRow
              key={i}
              index={i}
              filter={f}
              dimensions={dimensions}
              onChange={(next) => onChange(filters.map((x, j) => (j === i ? next : x)))}
              onRemove={() => onChange(filters.filter((_, j) => j !== i))}
            />
          ))}
        </ul>
      ) : null}
      <div>
        <Button
          variant="secondary"
          size="sm"
          disabled={!first}
          onClick={() => first && onChange([...filters, { field: first.name, op: opsFor(first)[0]!.id }])}
          data-testid="add-filter"
        >
          <Plus aria-hidden="true" className="h-3.5 w-3.5" />
          Add filter
        </Button>
      </div>
    </div>
  );
}
