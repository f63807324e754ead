"use client";

import { cn } from "@/lib/utils";

import { FilterChip } from "./filter-chip";

/** A chip with one choice among a few (radio semantics); picking applies and closes. */
export function ChoiceFilter<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T | null;
  options: { value: T; label: string }[];
  onChange: (value: T | null) => void;
}) {
  const current = options.find((option) => option.value === value);
  return (
    <FilterChip label={label} value={current?.label ?? null} onClear={() => onChange(null)} contentClassName="w-60 p-2">
      {(close) => (
        <div role="radiogroup" aria-label={label} className="flex flex-col">
          {[{ value: null, label: "Any" }, ...options].map((option) => {
            const checked = option.value === value;
            return (
              <button
                key={option.label}
                type="button"
                role="radio"
                aria-checked={checked}
                onClick={() => {
                  onChange(option.value as T | null);
                  close();
                }}
                className={cn(
                  "flex items-center gap-2 rounded-control px-2 py-2 text-left text-body hover:bg-subtle",
                  checked && "font-medium text-primary",
                )}
              >
                <span
                  aria-hidden="true"
                  className={cn(
                    "grid h-4 w-4 place-items-center rounded-full border",
                    checked ? "border-primary" : "border-muted/50",
                  )}
                >
                  {checked ? <span className="h-2 w-2 rounded-full bg-primary" /> : null}
                </span>
                {option.label}
              </button>
            );
          })}
        </div>
      )}
    </FilterChip>
  );
}
