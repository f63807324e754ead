"use client";

import { ArrowDownUp, Download, Loader2, Search, X } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { useCatalog } from "@/lib/analytics/hooks";
import { formatEnum } from "@/lib/format";

import { ChoiceFilter } from "./filters/choice-filter";
import { DateRangeFilter } from "./filters/date-range-filter";
import { MultiSelectFilter } from "./filters/multi-select-filter";
import { RangeFilter } from "./filters/range-filter";
import type { PatientFilters, Sort } from "./search-params";
import { SORT_IDS } from "./search-params";
import { useDimensionValues } from "./use-patient-data";

const SORT_LABELS: Record<(typeof SORT_IDS)[number], string> = {
  patient: "Name",
  phone: "Phone",
  next: "Next appointment",
  last: "Last visit",
  visits: "Visits",
  spend: "Lifetime spend",
  balance: "Balance due",
  source: "Source",
  since: "Patient since",
};

/** The search field; Enter runs `onEnter` (the table opens the one patient found). */
export function SearchBox({
  value,
  onChange,
  onEnter,
}: {
  value: string;
  onChange: (value: string) => void;
  onEnter?: () => void;
}) {
  return (
    <div className="relative w-full sm:max-w-sm">
      <Search aria-hidden="true" className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-muted" />
      <Input
        type="search"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && onEnter) {
            event.preventDefault();
            onEnter();
          }
        }}
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

/** The patient table's filter chips: each names a catalog member; the catalog the role is shown decides which
 * chips appear (a member hidden from the role has no chip) and gives each its label; choices come from the
 * member's distinct values, units from its catalog unit (cents are typed as whole dollars). */
export const FILTER_CHIPS = [
  { key: "source", member: "patient.source", kind: "values" },
  { key: "gender", member: "patient.gender", kind: "values" },
  { key: "age", member: "patient.age", kind: "range" },
  { key: "lastVisit", member: "patient.last_visit_at", kind: "dates" },
  { key: "firstVisit", member: "patient.first_visit_at", kind: "dates" },
  { key: "upcoming", member: "patient.next_appointment_at", kind: "presence" },
  { key: "spend", member: "patient.lifetime_spend", kind: "range" },
  { key: "service", member: "service.name", kind: "values" },
  { key: "provider", member: "provider.name", kind: "values" },
] as const satisfies readonly { key: keyof PatientFilters; member: string; kind: string }[];

type Chip = (typeof FILTER_CHIPS)[number];

export function FilterBar({
  filters,
  onChange,
  asOf,
}: {
  filters: PatientFilters;
  onChange: (filters: PatientFilters) => void;
  asOf: string | null;
}) {
  const catalog = useCatalog();
  const set = <K extends keyof PatientFilters>(key: K, value: PatientFilters[K]) => onChange({ ...filters, [key]: value });
  const offered = FILTER_CHIPS.filter((chip) => catalog.data?.dimension(chip.member));

  return (
    <div
      className="-mx-4 flex items-center gap-2 overflow-x-auto px-4 pb-1 sm:mx-0 sm:flex-wrap sm:overflow-visible sm:px-0 sm:pb-0"
      role="group"
      aria-label="Filters"
      data-testid="filter-bar"
    >
      {catalog.isPending ? <Skeleton className="h-8 w-72 rounded-full" /> : null}
      {offered.map((chip) => {
        const dimension = catalog.data!.dimension(chip.member)!;
        return <ChipFor key={chip.key} chip={chip} label={dimension.label} unit={dimension.unit} filters={filters} set={set} asOf={asOf} />;
      })}
      {filters.owedIn ? (
        <DateRangeFilter label="Owes for a visit" value={filters.owedIn} onChange={(v) => set("owedIn", v)} asOf={asOf} />
      ) : null}
    </div>
  );
}

function ChipFor({
  chip,
  label,
  unit,
  filters,
  set,
  asOf,
}: {
  chip: Chip;
  label: string;
  unit: string | null;
  filters: PatientFilters;
  set: <K extends keyof PatientFilters>(key: K, value: PatientFilters[K]) => void;
  asOf: string | null;
}) {
  const values = useDimensionValues(chip.member, chip.kind === "values");
  const dollars = (n: number) => `$${n.toLocaleString("en-US")}`;
  switch (chip.kind) {
    case "values":
      return (
        <MultiSelectFilter
          label={label}
          options={values.data ?? []}
          loading={values.isPending}
          selected={filters[chip.key]}
          onChange={(v) => set(chip.key, v)}
          format={chip.member.startsWith("patient.") ? formatEnum : undefined}
        />
      );
    case "range":
      return (
        <RangeFilter
          label={label}
          unit={unit === "cents" ? "USD" : (unit ?? "years")}
          step={unit === "cents" ? 50 : 1}
          value={filters[chip.key]}
          onChange={(v) => set(chip.key, v)}
          format={unit === "cents" ? dollars : undefined}
        />
      );
    case "dates":
      return <DateRangeFilter label={label} value={filters[chip.key]} onChange={(v) => set(chip.key, v)} asOf={asOf} />;
    case "presence":
      return (
        <ChoiceFilter
          label={label}
          value={filters.upcoming}
          options={[
            { value: "yes", label: "Booked" },
            { value: "no", label: "Nothing booked" },
          ]}
          onChange={(v) => set("upcoming", v)}
        />
      );
  }
}

/** Sort control for phones, where cards have no column headers. */
export function MobileSort({
  sort,
  onChange,
  bestFirst = false,
}: {
  sort: Sort;
  onChange: (sort: Sort) => void;
  /** a search without a chosen order: best matches first */
  bestFirst?: boolean;
}) {
  return (
    <div className="flex items-center gap-2 md:hidden">
      <label className="flex flex-1 items-center gap-2 text-body text-muted">
        <span>Sort by</span>
        <Select
          value={bestFirst ? "best" : sort.id}
          onChange={(event) => onChange({ id: event.target.value as Sort["id"], dir: sort.dir })}
          className="w-full"
        >
          {bestFirst ? <option value="best">Best match</option> : null}
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
        aria-label={`${sort.dir === "asc" ? "Asc" : "Desc"}: sorted ${sort.dir === "asc" ? "ascending" : "descending"}, switch`}
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
