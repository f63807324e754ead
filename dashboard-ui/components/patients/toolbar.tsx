"use client";

import { ArrowDownUp, Download, Loader2, Search, X } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { formatEnum } from "@/lib/format";

import { ChoiceFilter } from "./filters/choice-filter";
import { DateRangeFilter } from "./filters/date-range-filter";
import { MultiSelectFilter } from "./filters/multi-select-filter";
import { RangeFilter } from "./filters/range-filter";
import type { PatientFilters, Sort } from "./search-params";
import { SORT_IDS } from "./search-params";
import { useDimensionValues } from "./use-patient-data";

// The client's enumerations, used until (or if) the distinct-values queries answer.
const FALLBACK_SOURCES = ["google", "in_person", "instagram", "phone", "tiktok", "website"];
const FALLBACK_GENDERS = ["female", "male", "other"];

const SORT_LABELS: Record<(typeof SORT_IDS)[number], string> = {
  patient: "Name",
  phone: "Phone",
  next: "Next appointment",
  last: "Last visit",
  visits: "Visits",
  spend: "Lifetime spend",
  unpaid: "Unpaid visits",
  source: "Source",
  since: "Patient since",
};

export function SearchBox({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <div className="relative w-full sm:max-w-sm">
      <Search aria-hidden="true" className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-muted" />
      <Input
        type="search"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder="Search name, email or phone"
        aria-label="Search patients by name, email or phone"
        autoComplete="off"
        spellCheck={false}
        className="rounded-full pl-9 pr-9 [&::-webkit-search-cancel-button]:hidden"
        data-testid="patient-search"
      />
      {value ? (
        <button
          type="button"
          onClick={() => onChange("")}
          aria-label="Clear search"
          className="absolute right-2 top-1/2 grid h-6 w-6 -translate-y-1/2 place-items-center rounded-full text-muted hover:bg-subtle hover:text-ink"
        >
          <X aria-hidden="true" className="h-3.5 w-3.5" />
        </button>
      ) : null}
    </div>
  );
}

export function FilterBar({
  filters,
  onChange,
  asOf,
}: {
  filters: PatientFilters;
  onChange: (filters: PatientFilters) => void;
  asOf: string | null;
}) {
  const sources = useDimensionValues("patient.source");
  const genders = useDimensionValues("patient.gender");
  const servicesQ = useDimensionValues("service.name");
  const providersQ = useDimensionValues("provider.name");
  const set = <K extends keyof PatientFilters>(key: K, value: PatientFilters[K]) => onChange({ ...filters, [key]: value });
  const dollars = (n: number) => `$${n.toLocaleString("en-US")}`;

  return (
    <div
      className="-mx-4 flex items-center gap-2 overflow-x-auto px-4 pb-1 sm:mx-0 sm:flex-wrap sm:overflow-visible sm:px-0 sm:pb-0"
      role="group"
      aria-label="Filters"
    >
      <MultiSelectFilter
        label="Source"
        options={sources.data?.length ? sources.data : FALLBACK_SOURCES}
        selected={filters.source}
        onChange={(v) => set("source", v)}
        format={formatEnum}
      />
      <MultiSelectFilter
        label="Gender"
        options={genders.data?.length ? genders.data : FALLBACK_GENDERS}
        selected={filters.gender}
        onChange={(v) => set("gender", v)}
        format={formatEnum}
      />
      <RangeFilter label="Age" unit="years" value={filters.age} onChange={(v) => set("age", v)} />
      <DateRangeFilter label="Last visit" value={filters.lastVisit} onChange={(v) => set("lastVisit", v)} asOf={asOf} />
      <ChoiceFilter
        label="Upcoming"
        value={filters.upcoming}
        options={[
          { value: "yes", label: "Has an appointment booked" },
          { value: "no", label: "Nothing booked" },
        ]}
        onChange={(v) => set("upcoming", v)}
      />
      <RangeFilter
        label="Lifetime spend"
        unit="USD"
        step={50}
        value={filters.spend}
        onChange={(v) => set("spend", v)}
        format={dollars}
      />
      <MultiSelectFilter
        label="Service"
        options={servicesQ.data ?? []}
        loading={servicesQ.isPending}
        selected={filters.service}
        onChange={(v) => set("service", v)}
      />
      <MultiSelectFilter
        label="Provider"
        options={providersQ.data ?? []}
        loading={providersQ.isPending}
        selected={filters.provider}
        onChange={(v) => set("provider", v)}
      />
    </div>
  );
}

/** Sort control for phones, where cards have no column headers. */
export function MobileSort({ sort, onChange }: { sort: Sort; onChange: (sort: Sort) => void }) {
  return (
    <div className="flex items-center gap-2 md:hidden">
      <label className="flex flex-1 items-center gap-2 text-body text-muted">
        <span>Sort by</span>
        <Select
          value={sort.id}
          onChange={(event) => onChange({ id: event.target.value as Sort["id"], dir: sort.dir })}
          className="w-full"
        >
          {SORT_IDS.map((id) => (
            <option key={id} value={id}>
              {SORT_LABELS[id]}
            </option>
          ))}
        </Select>
      </label>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => onChange({ ...sort, dir: sort.dir === "asc" ? "desc" : "asc" })}
        aria-label={`Sort direction: ${sort.dir === "asc" ? "ascending" : "descending"}. Switch`}
      >
        <ArrowDownUp aria-hidden="true" className="h-3.5 w-3.5" />
        {sort.dir === "asc" ? "Asc" : "Desc"}
      </Button>
    </div>
  );
}

export function ExportButton({
  onExport,
  busy,
  progress,
  disabled,
}: {
  onExport: () => void;
  busy: boolean;
  progress: string | null;
  disabled?: boolean;
}) {
  return (
    <Button variant="secondary" onClick={onExport} disabled={busy || disabled} data-testid="export-csv">
      {busy ? <Loader2 aria-hidden="true" className="h-4 w-4 animate-spin" /> : <Download aria-hidden="true" className="h-4 w-4" />}
      {busy ? (progress ?? "Exporting…") : "Export CSV"}
    </Button>
  );
}
