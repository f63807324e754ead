"use client";

import {
  getCoreRowModel,
  useReactTable,
  type PaginationState,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { DataTable } from "@/components/data-table/data-table";
import { DataTablePagination } from "@/components/data-table/pagination";
import { DaySchedule } from "@/components/schedule/day-schedule";
import { EmptyState, ErrorState } from "@/components/data-table/states";
import { Button } from "@/components/ui/button";
import type { Row } from "@/lib/api/types";
import { downloadText } from "@/lib/csv";
import { formatDate, formatNumber } from "@/lib/format";
import { useDebounced } from "@/lib/use-debounced";

import { patientColumns } from "./columns";
import { exportPatientsCsv } from "./export-csv";
import { PatientCard } from "./patient-card";
import { patientId } from "./patient-row";
import { bestMatchFirst, effectiveSort, listQuery, quickView } from "./query";
import { QuickViews } from "./quick-views";
import { DidYouMean, holdsEveryWord } from "./search-hint";
import { countActiveFilters, EMPTY_FILTERS, serializePatientParams, type PageSize, type SortId } from "./search-params";
import { sessionMemory } from "./session-memory";
import { ExportButton, FilterBar, MobileSort, SearchBox } from "./toolbar";
import { useAsOf, usePatientList, useViewCounts } from "./use-patient-data";
import { usePatientTableState } from "./use-table-state";

/** The front desk's patient list: URL-driven view state, server-side sort/paging, CSV export. */
export function PatientTable() {
  const router = useRouter();
  // ---- URL is the state (nuqs): every change is a shallow navigation, pushed so Back undoes it --
  const [state, navigate] = usePatientTableState();
  const update = (patch: Partial<typeof state>) => navigate({ ...state, pageIndex: 0, ...patch });
  const isSchedule = quickView(state.view).schedule === true;

  // ---- search: local + debounced, never in the URL ------------------------------------------
  const [searchInput, setSearchInputRaw] = useState(() => sessionMemory.search);
  const debounced = useDebounced(searchInput.trim(), 300);
  // Enter searches at once (no wait for the debounce) and opens the patient when exactly one matches.
  const [submitted, setSubmitted] = useState<string | null>(null);
  const search = submitted !== null && submitted === searchInput.trim() ? submitted : debounced;
  const setSearchInput = (value: string) => {
    setSearchInputRaw(value);
    setSubmitted(null);
    if (isSchedule && value.trim()) update({ view: "all", sort: null });  // a search looks in every patient
  };
  const previousSearch = useRef(search);
  useEffect(() => {
    sessionMemory.search = searchInput;
  }, [searchInput]);
  useEffect(() => {
    if (previousSearch.current === search) return;
    previousSearch.current = search;
    if (state.pageIndex > 0) navigate({ ...state, pageIndex: 0 }, "replace");
  }, [search, state, navigate]);

  useEffect(() => {
    const qs = serializePatientParams(state);
    sessionMemory.listHref = qs ? `/patients?${qs}` : "/patients";
  }, [state]);
  const openWhenSingle = useRef<string | null>(null);

  // ---- data ------------------------------------------------------------------------------------
  const asOfQuery = useAsOf();
  const asOf = asOfQuery.data ?? null;
  const query = useMemo(() => (isSchedule ? null : listQuery(state, search, asOf)), [isSchedule, state, search, asOf]);
  const list = usePatientList(query);
  const counts = useViewCounts(state.filters, search, asOf);

  const rows = list.data?.rows ?? [];
  const totalRows = list.data?.total_rows ?? null;
  const dataAsOf = list.data?.meta.as_of ?? asOf;
  const sort = effectiveSort(state);
  const bestFirst = bestMatchFirst(state, search);

  // Enter in the search box: open the patient when the search finds exactly one.
  useEffect(() => {
    const wanted = openWhenSingle.current;
    if (wanted === null || wanted !== search || !list.data || list.isPlaceholderData || list.isFetching) return;
    openWhenSingle.current = null;
    if (list.data.total_rows === 1 && list.data.rows[0]) {
      router.push(`/patients/${encodeURIComponent(patientId(list.data.rows[0]))}`);
    }
  }, [search, list.data, list.isPlaceholderData, list.isFetching, router]);
  const onSearchEnter = () => {
    const text = searchInput.trim();
    if (!text) return;
    openWhenSingle.current = text;
    setSubmitted(text);
  };

  // A URL page past the end (e.g. after a filter elsewhere) snaps back to the last page.
  useEffect(() => {
    if (totalRows === null || list.isPlaceholderData) return;
    const lastIndex = Math.max(Math.ceil(totalRows / state.pageSize) - 1, 0);
    if (state.pageIndex > lastIndex) navigate({ ...state, pageIndex: lastIndex }, "replace");
  }, [totalRows, list.isPlaceholderData, state, navigate]);

  // ---- table -----------------------------------------------------------------------------------
  const columns = useMemo(() => patientColumns(dataAsOf), [dataAsOf]);
  const sorting: SortingState = bestFirst ? [] : [{ id: sort.id, desc: sort.dir === "desc" }];
  const pagination: PaginationState = { pageIndex: state.pageIndex, pageSize: state.pageSize };

  const table = useReactTable<Row>({
    data: rows,
    columns,
    getRowId: (row) => patientId(row),
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    rowCount: totalRows ?? 0,
    state: { sorting, pagination },
    onSortingChange: (updater: Updater<SortingState>) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      const first = next[0];
      if (first) update({ sort: { id: first.id as SortId, dir: first.desc ? "desc" : "asc" } });
    },
    onPaginationChange: (updater: Updater<PaginationState>) => {
      const next = typeof updater === "function" ? updater(pagination) : updater;
      if (next.pageSize !== state.pageSize) update({ pageSize: next.pageSize as PageSize });
      else navigate({ ...state, pageIndex: next.pageIndex });
    },
  });

  // ---- actions ---------------------------------------------------------------------------------
  const filterCount = countActiveFilters(state.filters);
  const anythingSet = filterCount > 0 || searchInput.trim() !== "" || state.view !== "all";
  const clearAll = () => {
    setSearchInputRaw("");
    setSubmitted(null);
    navigate({ ...state, view: "all", filters: EMPTY_FILTERS, sort: null, pageIndex: 0 });
  };
  const openRow = (row: Row, event: { metaKey?: boolean; ctrlKey?: boolean }) => {
    const href = `/patients/${encodeURIComponent(patientId(row))}`;
    if (event.metaKey || event.ctrlKey) window.open(href, "_blank", "noopener");
    else router.push(href);
  };

  const [exporting, setExporting] = useState(false);
  const [exportProgress, setExportProgress] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const runExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      setExportProgress("Exporting…");
      const result = await exportPatientsCsv(state, search, asOf);
      downloadText(`patients-${state.view}-${result.asOf ?? "export"}.csv`, result.csv);
    } catch (error) {
      setExportError(error instanceof Error ? error.message : "The export failed.");
    } finally {
      setExporting(false);
      setExportProgress(null);
    }
  };

  // ---- states ----------------------------------------------------------------------------------
  const loading = !list.data && !list.error;
  const view = quickView(state.view);
  let placeholder: ReactNode = null;
  if (list.error && !list.data) {
    placeholder = <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  } else if (asOfQuery.error && !list.data) {
    placeholder = <ErrorState error={asOfQuery.error} onRetry={() => void asOfQuery.refetch()} />;
  } else if (list.data && totalRows === 0 && !list.isPlaceholderData) {
    placeholder = (
      <EmptyState
        title={search ? `No patient is called or spelled like “${search}”` : "No patients match"}
        body={
          anythingSet
            ? `Nobody matches ${[search ? `“${search}”` : null, state.view !== "all" ? view.label : null, filterCount ? `${filterCount} filter${filterCount > 1 ? "s" : ""}` : null].filter(Boolean).join(" + ")}. Loosen the filters or clear them.`
            : "There are no patients yet. Load data to see them here."
        }
        action={
          anythingSet ? (
            <Button variant="secondary" onClick={clearAll}>
              Clear filters
            </Button>
          ) : null
        }
      />
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-title">Patients</h1>
          <p className="mt-1 text-muted">
            {dataAsOf ? <>Data as of {formatDate(dataAsOf)}</> : asOfQuery.error ? "The data's date is unavailable" : "Loading the data's date…"}
            {totalRows !== null && !isSchedule ? <> · {formatNumber(totalRows)} in this view</> : null}
          </p>
        </div>
        <div className="flex items-center gap-2">
          {isSchedule ? null : (
            <ExportButton
              onExport={() => void runExport()}
              busy={exporting}
              progress={exportProgress}
              disabled={!list.data || totalRows === 0}
            />
          )}
        </div>
      </div>
      {exportError ? (
        <p role="alert" className="text-negative">
          Export failed: {exportError}
        </p>
      ) : null}

      <QuickViews active={state.view} counts={counts} onSelect={(id) => update({ view: id, sort: null, date: null })} />

      <div className="flex flex-col gap-3">
        <div className="flex flex-col gap-3 lg:flex-row lg:items-center">
          <SearchBox value={searchInput} onChange={setSearchInput} onEnter={onSearchEnter} />
          {isSchedule ? null : (
            <FilterBar filters={state.filters} onChange={(filters) => update({ filters })} asOf={asOf} />
          )}
          {anythingSet && !isSchedule ? (
            <Button variant="link" size="sm" onClick={clearAll} className="self-start lg:self-center" data-testid="clear-all">
              Clear all
            </Button>
          ) : null}
        </div>
        {isSchedule ? null : <MobileSort sort={sort} bestFirst={bestFirst} onChange={(next) => update({ sort: next })} />}
        {search && list.data && !list.isPlaceholderData && rows[0] && !holdsEveryWord(rows[0], search) ? (
          <DidYouMean search={search} best={rows[0]} onPick={(name) => setSearchInput(name)} />
        ) : null}
      </div>

      {isSchedule ? (
        <DaySchedule date={state.date} onDateChange={(date) => navigate({ ...state, date })} />
      ) : (
      <div>
        <DataTable
          table={table}
          caption={`Patients, ${view.label.toLowerCase()}, ${bestFirst ? "best matches first" : `sorted by ${sort.id} ${sort.dir === "asc" ? "ascending" : "descending"}`}`}
          loading={loading}
          fetching={list.isFetching && list.isPlaceholderData}
          placeholder={placeholder}
          skeletonRows={Math.min(state.pageSize, 12)}
          onRowOpen={openRow}
          renderCard={(row) => <PatientCard row={row} asOf={dataAsOf} />}
        />
        {placeholder ? null : <DataTablePagination table={table} totalRows={totalRows} noun="patients" />}
      </div>
      )}
    </div>
  );
}
