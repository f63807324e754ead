"use client";

import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import type { NumberRange } from "../search-params";
import { FilterChip } from "./filter-chip";

const parse = (text: string): number | null => {
  if (text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
};

/** Min/max number chip (age in years, spend in dollars). Applies on submit. */
export function RangeFilter({
  label,
  unit,
  value,
  onChange,
  format = (n) => String(n),
  step = 1,
}: {
  label: string;
  unit?: string;
  value: NumberRange | null;
  onChange: (value: NumberRange | null) => void;
  format?: (n: number) => string;
  step?: number;
}) {
  const summary = !value
    ? null
    : value.min !== null && value.max !== null
      ? `${format(value.min)}–${format(value.max)}`
      : value.min !== null
        ? `${format(value.min)}+`
        : `up to ${format(value.max ?? 0)}`;

  return (
    <FilterChip label={label} value={summary} onClear={() => onChange(null)} contentClassName="w-64">
      {(close) => <RangeForm label={label} unit={unit} step={step} value={value} onChange={onChange} close={close} />}
    </FilterChip>
  );
}

function RangeForm({
  label,
  unit,
  step,
  value,
  onChange,
  close,
}: {
  label: string;
  unit?: string;
  step: number;
  value: NumberRange | null;
  onChange: (value: NumberRange | null) => void;
  close: () => void;
}) {
  const [min, setMin] = useState(value?.min?.toString() ?? "");
  const [max, setMax] = useState(value?.max?.toString() ?? "");
  const id = label.toLowerCase().replace(/\s+/g, "-");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let lo = parse(min);
    let hi = parse(max);
    if (lo !== null && hi !== null && lo > hi) [lo, hi] = [hi, lo];
    onChange(lo === null && hi === null ? null : { min: lo, max: hi });
    close();
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3">
      <p className="text-label font-medium text-muted">
        {label}
        {unit ? ` (${unit})` : ""}
      </p>
      <div className="grid grid-cols-2 gap-2">
        <div className="flex flex-col gap-1">
          <Label htmlFor={`${id}-min`}>Min</Label>
          <Input id={`${id}-min`} inputMode="numeric" type="number" min={0} step={step} value={min} onChange={(e) => setMin(e.target.value)} />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor={`${id}-max`}>Max</Label>
          <Input id={`${id}-max`} inputMode="numeric" type="number" min={0} step={step} value={max} onChange={(e) => setMax(e.target.value)} />
        </div>
      </div>
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
