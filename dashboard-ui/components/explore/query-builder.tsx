"use client";

import { useMemo } from "react";

import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { canGroup, splitFor, type NormalizedCatalog } from "@/lib/analytics/catalog";
import type { Query } from "@/lib/api/types";

import { FilterEditor } from "./filter-editor";
import { MemberPicker, type PickerOption } from "./member-picker";
import { TimeControls } from "./time-controls";

const ENTITY_LABELS: Record<string, string> = {
  patient: "Patient",
  appointment: "Appointment",
  service: "Service",
  provider: "Provider",
  payment: "Payment",
  service_line: "Service line",
};

const MEASURE_GROUPS: [RegExp, string][] = [
  [/revenue|ticket|payment/, "Money"],
  [/patient/, "Patients"],
  [/appointment|visit|cancel|booked|service_line|rebook/, "Appointments"],
];
const measureGroup = (name: string) => MEASURE_GROUPS.find(([re]) => re.test(name))?.[1] ?? "Other";

/** Measures, dimensions (only those every chosen measure can be split by), time, filters, order. */
export function QueryBuilder({
  query,
  onChange,
  catalog,
}: {
  query: Query;
  onChange: (query: Query) => void;
  catalog: NormalizedCatalog;
}) {
  const measures = useMemo(() => query.measures ?? [], [query.measures]);
  const dimensions = useMemo(() => query.dimensions ?? [], [query.dimensions]);

  const measureOptions = useMemo<PickerOption[]>(
    () =>
      catalog.measures.map((m) => {
        const blocked = dimensions.find((d) => !canGroup(catalog, [m.name], d));
        return {
          name: m.name,
          label: m.label,
          description: m.description,
          group: measureGroup(m.name),
          synonyms: m.synonyms,
          disabledReason: blocked ? `Cannot be split by ${catalog.dimension(blocked)?.label ?? blocked}` : undefined,
        };
      }),
    [catalog, dimensions],
  );

  const dimensionOptions = useMemo<PickerOption[]>(
    () =>
      catalog.dimensions
        // time stamps are grouped through the time grain; date-like ones (a cohort month) directly
        .filter((d) => !d.filterOnly && (!d.isTime || d.type === "date"))
        .map((d) => {
          const blockers = measures.filter((m) => !canGroup(catalog, [m], d.name));
          // a measure with a split form (revenue -> revenue by service line) switches to it: offered, not greyed
          const switches = blockers.map((m) => [m, splitFor(catalog, m, d.name)] as const);
          const stuck = switches.find(([, split]) => split === null);
          const switched = switches.filter(([, split]) => split !== null);
          return {
            name: d.name,
            label: d.label,
            description: switched.length
              ? `Shows ${switched.map(([m, split]) => `${catalog.measure(split!)?.label ?? split} instead of ${catalog.measure(m)?.label ?? m}`).join(", ")}: a ticket is shared among its lines, not counted once per line.`
              : d.description,
            group: ENTITY_LABELS[d.entity] ?? d.entity,
            badge: d.pii ? "PII" : undefined,
            disabledReason: stuck
              ? `${catalog.measure(stuck[0])?.label ?? stuck[0]} cannot be split by this (it would double count)`
              : undefined,
          };
        }),
    [catalog, measures],
  );

  /** Picking dimensions: a measure that cannot be split by one becomes its split form (revenue by service line). */
  const pickDimensions = (next: string[]) => {
    const added = next.filter((d) => !dimensions.includes(d));
    const swapped = measures.map((m) => {
      for (const d of added) {
        if (!canGroup(catalog, [m], d)) return splitFor(catalog, m, d) ?? m;
      }
      return m;
    });
    const order = query.order?.map((o) => ({ ...o, field: swapped[measures.indexOf(o.field)] ?? o.field }));
    onChange({ ...query, dimensions: next, measures: swapped, ...(order ? { order } : {}) });
  };

  const filterable = useMemo(() => catalog.dimensions.filter((d) => d.type !== "time" || d.isTime), [catalog]);
  const timeDimensions = useMemo(() => catalog.dimensions.filter((d) => d.isTime), [catalog]);
  const sortable = [...(query.time?.grain ? ["time"] : []), ...dimensions, ...measures];
  const order = query.order?.[0];

  return (
    <div className="flex flex-col gap-5" data-testid="query-builder">
      <div className="grid gap-5 lg:grid-cols-2">
        <MemberPicker
          label="Measures"
          testId="pick-measures"
          placeholder="Add measure"
          options={measureOptions}
          value={measures}
          onChange={(next) => onChange({ ...query, measures: next })}
        />
        <MemberPicker
          label="Group by"
          testId="pick-dimensions"
          placeholder="Add dimension"
          options={dimensionOptions}
          value={dimensions}
          onChange={pickDimensions}
        />
      </div>
      <TimeControls time={query.time} onChange={(time) => onChange({ ...query, time })} timeDimensions={timeDimensions} asOf={catalog.asOf} />
      <FilterEditor filters={query.filters ?? []} dimensions={filterable} onChange={(filters) => onChange({ ...query, filters })} />
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1.5">
          <span className="text-label font-medium text-muted">Sort by</span>
          <Select
            value={order?.field ?? ""}
            onChange={(e) => onChange({ ...query, order: e.target.value ? [{ field: e.target.value, dir: order?.dir ?? "desc" }] : undefined })}
          >
            <option value="">Engine default</option>
            {sortable.map((name) => (
              <option key={name} value={name}>
                {name === "time" ? "Time" : (catalog.measure(name)?.label ?? catalog.dimension(name)?.label ?? name)}
              </option>
            ))}
          </Select>
        </label>
        <label className="flex flex-col gap-1.5">
          <span className="text-label font-medium text-muted">Direction</span>
          <Select
            value={order?.dir ?? "desc"}
            disabled={!order}
            onChange={(e) => order && onChange({ ...query, order: [{ field: order.field, dir: e.target.value as "asc" | "desc" }] })}
          >
            <option value="desc">Highest first</option>
            <option value="asc">Lowest first</option>
          </Select>
        </label>
        <label className="flex flex-col gap-1.5">
          <span className="text-label font-medium text-muted">Row limit</span>
          <Input
            type="number"
            min={1}
            max={10000}
            className="w-28"
            value={query.limit ?? 1000}
            onChange={(e) => {
              const n = Math.max(1, Math.min(10000, Math.floor(Number(e.target.value) || 1000)));
              onChange({ ...query, limit: n === 1000 ? undefined : n });
            }}
          />
        </label>
      </div>
    </div>
  );
}
