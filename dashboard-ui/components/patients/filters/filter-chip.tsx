"use client";

import { ChevronDown, Plus, X } from "lucide-react";
import { useState, type ReactNode } from "react";

import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { cn } from "@/lib/utils";

/**
 * A filter chip: "+ Source" when unset, "Source: Instagram, Google" when set (with its own clear
 * button). The editor opens in a popover; `children` gets a `close` callback.
 */
export function FilterChip({
  label,
  value,
  onClear,
  children,
  contentClassName,
}: {
  label: string;
  /** Words for the current value; null when the filter is unset. */
  value: string | null;
  onClear: () => void;
  children: (close: () => void) => ReactNode;
  contentClassName?: string;
}) {
  const [open, setOpen] = useState(false);
  const active = value !== null;
  return (
    <div
      className={cn(
        "inline-flex h-8 shrink-0 items-center whitespace-nowrap rounded-full border text-label font-medium transition-colors",
        active ? "border-primary/30 bg-primary-soft text-primary" : "border-dashed border-border bg-surface text-muted hover:text-ink",
      )}
      data-testid={`chip-${label.toLowerCase().replace(/\s+/g, "-")}`}
    >
      <Popover open={open} onOpenChange={setOpen}>
        <PopoverTrigger asChild>
          <button
            type="button"
            className={cn("inline-flex h-full max-w-[260px] items-center gap-1.5 rounded-full pl-3", active ? "pr-1.5" : "pr-3")}
          >
            {active ? null : <Plus aria-hidden="true" className="h-3.5 w-3.5" />}
            <span className="shrink-0">{label}</span>
            {active ? (
              <>
                <span aria-hidden="true" className="text-primary/50">
                  |
                </span>
                <span className="truncate font-semibold">{value}</span>
                <ChevronDown aria-hidden="true" className="h-3.5 w-3.5 shrink-0" />
              </>
            ) : null}
          </button>
        </PopoverTrigger>
        <PopoverContent className={contentClassName} aria-label={`${label} filter`}>
          {children(() => setOpen(false))}
        </PopoverContent>
      </Popover>
      {active ? (
        <button
          type="button"
          onClick={onClear}
          aria-label={`Remove ${label} filter`}
          className="mr-1 grid h-6 w-6 place-items-center rounded-full hover:bg-primary/10"
        >
          <X aria-hidden="true" className="h-3.5 w-3.5" />
        </button>
      ) : null}
    </div>
  );
}

/** "Instagram, Google" or "Instagram +2" for long lists. */
export function summarize(values: string[], format: (value: string) => string = (v) => v): string | null {
  if (!values.length) return null;
  if (values.length <= 2) return values.map(format).join(", ");
  return `${format(values[0]!)} +${values.length - 1}`;
}
