"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { addDays, addMonths } from "@/lib/dates";
import { formatDateShort } from "@/lib/format";

import type { DateRange } from "../search-params";
import { FilterChip } from "./filter-chip";

/** From/to date chip with presets resolved against as_of (the data's "today"). */
export function DateRangeFilter({
  label,
  value,
  onChange,
  asOf,
}: {
  label: string;
  value: DateRange | null;
  onChange: (value: DateRange | null) => void;
  asOf: string | null;
}) {
  const summary = !value
    ? null
    : value.from && value.to
      ? `${formatDateShort(value.from, asOf ?? undefined)} – ${formatDateShort(value.to, asOf ?? undefined)}`
      : value.from
        ? `since ${formatDateShort(value.from, asOf ?? undefined)}`
        : `before ${formatDateShort(addDays(value.to ?? "", 1), asOf ?? undefined)}`;

  return (
    <FilterChip label={label} value={summary} onClear={() => onChange(null)} contentClassName="w-[22rem]">
      {(close) => <DateRangeForm label={label} value={value} onChange={onChange} close={close} asOf={asOf} />}
    </FilterChip>
  );
}

function DateRangeForm({
  label,
  value,
  onChange,
  close,
  asOf,
}: {
  label: string;
  value: DateRange | null;
  onChange: (value: DateRange | null) => void;
  close: () => void;
  asOf: string | null;
}) {
  const [from, setFrom] = useState(value?.from ?? "");
  const [to, setTo] = useState(value?.to ?? "");
  const id = label.toLowerCase().replace(/\s+/g, "-");

  const apply = (range: DateRange | null) => {
    onChange(range && (range.from || range.to) ? range : null);
    close();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let lo = from || null;
    let hi = to || null;
    if (lo && hi && lo > hi) [lo, hi] = [hi, lo];
    apply({ from: lo, to: hi });
  };

  const presets: { label: string; range: DateRange }[] = asOf
    ? [
        { label: "Last 30 days", range: { from: addDays(asOf, -29), to: asOf } },
        { label: "Last 90 days", range: { from: addDays(asOf, -89), to: asOf } },
        { label: "Last 12 months", range: { from: addDays(addMonths(asOf, -12), 1), to: asOf } },
        { label: "Over 6 months ago", range: { from: null, to: addMonths(asOf, -6) } },
        { label: "Over a year ago", range: { from: null, to: addMonths(asOf, -12) } },
      ]
    : [];

  return (
    <form onSubmit={submit} className="flex flex-col gap-3">
      <p className="text-label font-medium text-muted">{label}</p>
      {presets.length ? (
        <div className="flex flex-wrap gap-1.5">
          {presets.map((preset) => (
            <Button key={preset.label} variant="secondary" size="sm" onClick={() => apply(preset.range)}>
              {preset.label}
            </Button>
          ))}
        </div>
      ) : null}
      <div className="grid grid-cols-2 gap-2">
        <div className="flex flex-col gap-1">
          <Label htmlFor={`${id}-from`}>From</Label>
          <Input id={`${id}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor={`${id}-to`}>To (inclusive)</Label>
          <Input id={`${id}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      {asOf ? <p className="text-label text-muted">Relative to the data&apos;s date, {formatDateShort(asOf)}.</p> : null}
      <div className="flex justify-end gap-2">
        <Button variant="ghost" size="sm" onClick={close}>
          Cancel
        </Button>
        <Button type="submit" size="sm">
          Apply
        </Button>
      </div>
    </form>
  );
}
