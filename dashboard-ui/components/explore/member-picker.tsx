"use client";

import { ChevronDown, Plus, X } from "lucide-react";
import { useId, useMemo, useState } from "react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";

export interface PickerOption {
  name: string;
  label: string;
  description?: string;
  group: string;
  /** why it cannot be picked with the current selection (shown, and the option is disabled) */
  disabledReason?: string;
  badge?: string;
  synonyms?: string[];
}

/**
 * Pick several catalog members: the chosen ones as removable chips, the rest in a searchable,
 * grouped list with each member's label and description from the catalog.
 */
export function MemberPicker({
  label,
  options,
  value,
  onChange,
  testId,
  placeholder = "Add",
}: {
  label: string;
  options: PickerOption[];
  value: string[];
  onChange: (value: string[]) => void;
  testId: string;
  placeholder?: string;
}) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const listId = useId();
  const byName = useMemo(() => new Map(options.map((o) => [o.name, o])), [options]);
  const groups = useMemo(() => {
    const text = search.trim().toLowerCase();
    const matching = options.filter(
      (o) =>
        !text ||
        o.label.toLowerCase().includes(text) ||
        o.name.toLowerCase().includes(text) ||
        o.description?.toLowerCase().includes(text) ||
        o.synonyms?.some((s) => s.toLowerCase().includes(text)),
    );
    const out = new Map<string, PickerOption[]>();
    for (const o of matching) out.set(o.group, [...(out.get(o.group) ?? []), o]);
    return [...out.entries()];
  }, [options, search]);

  const toggle = (name: string) => onChange(value.includes(name) ? value.filter((v) => v !== name) : [...value, name]);

  return (
    <div className="flex flex-col gap-1.5" data-testid={testId}>
      <span className="text-label font-medium text-muted">{label}</span>
      <div className="flex flex-wrap items-center gap-1.5">
        {value.map((name) => {
          const option = byName.get(name);
          return (
            <span
              key={name}
              className="inline-flex h-8 items-center gap-1 rounded-full border border-primary/25 bg-primary-soft pl-3 pr-1 text-body font-medium text-primary"
              title={option?.description}
              data-testid={`chip-${name}`}
            >
              {option?.label ?? name}
              {option?.disabledReason ? <span className="sr-only"> ({option.disabledReason})</span> : null}
              <button
                type="button"
                onClick={() => toggle(name)}
                className="grid h-6 w-6 place-items-center rounded-full hover:bg-primary/10"
                aria-label={`Remove ${option?.label ?? name}`}
              >
                <X aria-hidden="true" className="h-3.5 w-3.5" />
              </button>
            </span>
          );
        })}
        <Popover open={open} onOpenChange={setOpen}>
          <PopoverTrigger asChild>
            <Button variant="secondary" size="sm" aria-label={`${placeholder} ${label.toLowerCase()}`} data-testid={`${testId}-add`}>
              <Plus aria-hidden="true" className="h-3.5 w-3.5" />
              {placeholder}
              <ChevronDown aria-hidden="true" className="h-3.5 w-3.5 text-muted" />
            </Button>
          </PopoverTrigger>
          <PopoverContent className="w-[22rem] p-0" align="start">
            <div className="border-b border-border p-3">
              <Input
                autoFocus
                placeholder={`Search ${label.toLowerCase()}`}
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                aria-controls={listId}
                aria-label={`Search ${label.toLowerCase()}`}
              />
            </div>
            <div id={listId} className="max-h-80 overflow-y-auto p-2" role="group" aria-label={label}>
              {groups.length === 0 ? <p className="p-3 text-muted">Nothing matches “{search}”.</p> : null}
              {groups.map(([group, items]) => (
                <fieldset key={group} className="mb-2">
                  <legend className="px-2 py-1 text-label font-semibold uppercase tracking-wide text-muted">{group}</legend>
                  {items.map((o) => {
                    const id = `${listId}-${o.name}`;
                    const disabled = !!o.disabledReason && !value.includes(o.name);
                    return (
                      <label
                        key={o.name}
                        htmlFor={id}
                        className={`flex cursor-pointer items-start gap-2 rounded-control px-2 py-1.5 hover:bg-subtle ${disabled ? "cursor-not-allowed opacity-60" : ""}`}
                      >
                        <Checkbox
                          id={id}
                          className="mt-0.5"
                          aria-label={o.label}
                          aria-describedby={`${id}-desc`}
                          checked={value.includes(o.name)}
                          disabled={disabled}
                          onChange={() => toggle(o.name)}
                          data-member={o.name}
                        />
                        <span className="min-w-0">
                          <span className="flex items-center gap-1.5 font-medium text-ink">
                            {o.label}
                            {o.badge ? <Badge tone="gold">{o.badge}</Badge> : null}
                          </span>
                          <span id={`${id}-desc`} className="block text-label text-muted">
                            {o.disabledReason ?? o.description ?? o.name}
                          </span>
                        </span>
                      </label>
                    );
                  })}
                </fieldset>
              ))}
            </div>
          </PopoverContent>
        </Popover>
      </div>
    </div>
  );
}
