"use client";

import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { CatalogDimension } from "@/lib/analytics/catalog";
import type { Query } from "@/lib/api/types";
import { addDays } from "@/lib/dates";

type Time = NonNullable<Query["time"]>;

const RANGES: { id: string; label: string }[] = [
  { id: "", label: "No date limit" },
  { id: "today", label: "Today" },
  { id: "yesterday", label: "Yesterday" },
  { id: "last_7_days", label: "Last 7 days" },
  { id: "last_30_days", label: "Last 30 days" },
  { id: "last_90_days", label: "Last 90 days" },
  { id: "last_12_months", label: "Last 12 months" },
  { id: "this_month", label: "This month" },
  { id: "last_month", label: "Last month" },
  { id: "this_quarter", label: "This quarter" },
  { id: "last_quarter", label: "Last quarter" },
  { id: "this_year", label: "This year" },
  { id: "last_year", label: "Last year" },
  { id: "all_time", label: "All time" },
  { id: "custom", label: "Custom dates…" },
];
const GRAINS = ["day", "week", "month", "quarter", "year"] as const;

/** Time dimension, grain, range (presets resolved by the engine against as_of) and comparison. */
export function TimeControls({
  time,
  onChange,
  timeDimensions,
  asOf,
}: {
  time: Time | undefined;
  onChange: (time: Time | undefined) => void;
  timeDimensions: CatalogDimension[];
  asOf: string | null;
}) {
  const t = time ?? {};
  const set = (patch: Partial<Time>) => {
    const next = { ...t, ...patch } as Record<string, unknown>;
    for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === "") delete next[key];
    onChange(Object.keys(next).length ? (next as Time) : undefined);
  };
  const custom = Array.isArray(t.range);
  const rangeId = custom ? "custom" : (t.range ?? "");
  const dim = timeDimensions.find((d) => d.name === t.dimension);
  const grains = dim?.grains.length ? GRAINS.filter((g) => dim.grains.includes(g)) : GRAINS;

  return (
    <div className="flex flex-wrap items-end gap-3" data-testid="time-controls">
      <label className="flex flex-col gap-1.5">
        <span className="text-label font-medium text-muted">Date</span>
        <Select value={t.dimension ?? ""} onChange={(e) => set({ dimension: e.target.value || undefined })} aria-describedby="time-dim-help">
          <option value="">Each measure&apos;s own date</option>
          {timeDimensions.map((d) => (
            <option key={d.name} value={d.name}>
              {d.label}
            </option>
          ))}
        </Select>
        <span id="time-dim-help" className="sr-only">
          By default revenue is dated by payment, visits by appointment start and new patients by first visit.
        </span>
      </label>
      <label className="flex flex-col gap-1.5">
        <span className="text-label font-medium text-muted">Time grain</span>
        <Select value={t.grain ?? ""} onChange={(e) => set({ grain: (e.target.value || undefined) as Time["grain"] })} data-testid="grain-select">
          <option value="">No time grouping</option>
          {grains.map((g) => (
            <option key={g} value={g}>
              {g.charAt(0).toUpperCase() + g.slice(1)}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex flex-col gap-1.5">
        <span className="text-label font-medium text-muted">Range</span>
        <Select
          value={rangeId}
          data-testid="range-select"
          onChange={(e) => {
            const v = e.target.value;
            if (v === "custom") {
              const end = asOf ? addDays(asOf, 1) : new Date().toISOString().slice(0, 10);
              set({ range: [addDays(end, -30), end] });
            } else set({ range: v || undefined, ...(v === "" || v === "all_time" ? { compare: undefined } : {}) });
          }}
        >
          {RANGES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </Select>
      </label>
      {custom && Array.isArray(t.range) ? (
        <>
          <label className="flex flex-col gap-1.5">
            <span className="text-label font-medium text-muted">From</span>
            <Input type="date" className="w-40" value={t.range[0]} onChange={(e) => e.target.value && set({ range: [e.target.value, (t.range as [string, string])[1]] })} />
          </label>
          <label className="flex flex-col gap-1.5">
            <span className="text-label font-medium text-muted">To (exclusive)</span>
            <Input type="date" className="w-40" value={t.range[1]} onChange={(e) => e.target.value && set({ range: [(t.range as [string, string])[0], e.target.value] })} />
          </label>
        </>
      ) : null}
      <label className="flex flex-col gap-1.5">
        <span className="text-label font-medium text-muted">Compare</span>
        <Select
          value={t.compare ?? ""}
          disabled={!t.range || t.range === "all_time"}
          onChange={(e) => set({ compare: (e.target.value || undefined) as Time["compare"] })}
          data-testid="compare-select"
        >
          <option value="">No comparison</option>
          <option value="previous_period">Previous period</option>
          <option value="previous_year">Previous year</option>
        </Select>
      </label>
    </div>
  );
}
