"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";

import { FilterChip, summarize } from "./filter-chip";

/** A chip whose popover lists checkboxes; changes apply at once. */
export function MultiSelectFilter({
  label,
  options,
  loading = false,
  selected,
  onChange,
  format = (value) => value,
}: {
  label: string;
  options: string[];
  loading?: boolean;
  selected: string[];
  onChange: (values: string[]) => void;
  format?: (value: string) => string;
}) {
  const [filter, setFilter] = useState("");
  const shown = options.filter((option) => format(option).toLowerCase().includes(filter.trim().toLowerCase()));
  const toggle = (option: string) =>
    onChange(selected.includes(option) ? selected.filter((v) => v !== option) : [...selected, option]);

  return (
    <FilterChip label={label} value={summarize(selected, format)} onClear={() => onChange([])}>
      {() => (
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-2 text-label font-medium text-muted">{label}</legend>
          {options.length > 8 ? (
            <Input
              value={filter}
              onChange={(event) => setFilter(event.target.value)}
              placeholder={`Find ${label.toLowerCase()}`}
              aria-label={`Find ${label.toLowerCase()}`}
              className="mb-1 h-8"
            />
          ) : null}
          <div className="-mx-1 max-h-64 overflow-y-auto">
            {loading ? (
              <div className="flex flex-col gap-2 p-1">
                <Skeleton className="h-4 w-2/3" />
                <Skeleton className="h-4 w-1/2" />
                <Skeleton className="h-4 w-3/5" />
              </div>
            ) : shown.length ? (
              shown.map((option) => (
                <label
                  key={option}
                  className="flex cursor-pointer items-center gap-2 rounded-control px-1 py-1.5 text-body text-ink hover:bg-subtle"
                >
                  <Checkbox checked={selected.includes(option)} onChange={() => toggle(option)} />
                  <span className="truncate">{format(option)}</span>
                </label>
              ))
            ) : (
              <p className="px-1 py-2 text-muted">No options.</p>
            )}
          </div>
          {selected.length ? (
            <Button variant="link" size="sm" className="self-start" onClick={() => onChange([])}>
              Clear {label.toLowerCase()}
            </Button>
          ) : null}
        </fieldset>
      )}
    </FilterChip>
  );
}
