"use client";

import { CalendarRange } from "lucide-react";
import { useEffect, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { addDays } from "@/lib/dates";
import {
  COMPARE_OPTIONS,
  RANGE_PRESETS,
  type AnalyticsState,
  type CompareId,
} from "@/lib/analytics/state";
import { cn } from "@/lib/utils";
import { useKeepInView } from "@/lib/use-keep-in-view";

/**
 * Date range presets as a segmented row (scrolls sideways on phones), a custom range, and the
 * comparison. Every change goes to the URL.
 */
export function RangeControls({
  state,
  onChange,
  asOf,
  minDate,
}: {
  state: AnalyticsState;
  onChange: (patch: Partial<AnalyticsState>) => void;
  asOf: string | null;
  minDate: string | null;
}) {
  const custom = state.range.kind === "custom";
  const [editing, setEditing] = useState(custom);
  const [from, setFrom] = useState(custom && state.range.kind === "custom" ? state.range.from : "");
  const [to, setTo] = useState(custom && state.range.kind === "custom" ? state.range.to : "");

  useEffect(() => {
    if (state.range.kind === "custom") {
      setFrom(state.range.from);
      setTo(state.range.to);
      setEditing(true);
    } else {
      setEditing(false);
    }
  }, [state.range]);

  const openCustom = () => {
    setEditing(true);
    if (!from && asOf) {
      setFrom(addDays(asOf, -29));
      setTo(asOf);
    }
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (from && to) onChange({ range: { kind: "custom", from: from <= to ? from : to, to: from <= to ? to : from } });
  };

  const allTime = state.range.kind === "preset" && state.range.id === "all_time";
  const selectedRef = useKeepInView<HTMLButtonElement>(state.range.kind === "preset" ? state.range.id : "custom");

  return (
    <div className="flex flex-col gap-3" data-testid="range-controls">
      <div className="flex flex-wrap items-center gap-3">
        <div className="-mx-4 max-w-[calc(100%+2rem)] overflow-x-auto px-4 sm:mx-0 sm:max-w-full sm:px-0">
          <div role="group" aria-label="Date range" className="flex w-max items-center gap-1 rounded-full border border-border bg-surface p-1 shadow-soft">
            {RANGE_PRESETS.map((preset) => {
              const selected = state.range.kind === "preset" && state.range.id === preset.id && !editing;
              return (
                <button
                  key={preset.id}
                  type="button"
                  ref={selected ? selectedRef : undefined}
                  aria-pressed={selected}
                  onClick={() => {
                    setEditing(false);
                    onChange({ range: { kind: "preset", id: preset.id } });
                  }}
                  data-testid={`range-${preset.id}`}
                  className={cn(
                    "inline-flex h-8 items-center whitespace-nowrap rounded-full px-3 text-body font-medium transition-colors",
                    selected ? "bg-primary text-primary-ink" : "text-muted hover:bg-subtle hover:text-ink",
                  )}
                >
                  {preset.label}
                </button>
              );
            })}
            <button
              type="button"
              aria-pressed={editing}
              aria-expanded={editing}
              aria-controls="custom-range"
              onClick={openCustom}
              data-testid="range-custom"
              className={cn(
                "inline-flex h-8 items-center gap-1.5 whitespace-nowrap rounded-full px-3 text-body font-medium transition-colors",
                editing ? "bg-primary text-primary-ink" : "text-muted hover:bg-subtle hover:text-ink",
              )}
            >
              <CalendarRange aria-hidden="true" className="h-3.5 w-3.5" />
              Custom
            </button>
          </div>
        </div>
        <label className="flex items-center gap-2">
          <span className="sr-only">Compare with</span>
          <Select
            value={allTime ? "none" : state.compare}
            disabled={allTime}
            onChange={(e) => onChange({ compare: e.target.value as CompareId })}
            data-testid="compare-select"
            className="rounded-full"
            title={allTime ? "All time has no previous period to compare with" : undefined}
          >
            {COMPARE_OPTIONS.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </Select>
        </label>
      </div>
      {editing ? (
        <form id="custom-range" onSubmit={apply} className="flex flex-wrap items-end gap-3" aria-label="Custom date range">
          <div className="flex flex-col gap-1">
            <Label htmlFor="range-from">From</Label>
            <Input
              id="range-from"
              type="date"
              value={from}
              min={minDate ?? undefined}
              max={asOf ?? undefined}
              onChange={(e) => setFrom(e.target.value)}
              className="w-40"
              required
            />
          </div>
          <div className="flex flex-col gap-1">
            <Label htmlFor="range-to">To (inclusive)</Label>
            <Input
              id="range-to"
              type="date"
              value={to}
              min={minDate ?? undefined}
              max={asOf ?? undefined}
              onChange={(e) => setTo(e.target.value)}
              className="w-40"
              required
            />
          </div>
          <Button type="submit" size="md" data-testid="apply-custom">
            Apply
          </Button>
        </form>
      ) : null}
    </div>
  );
}
