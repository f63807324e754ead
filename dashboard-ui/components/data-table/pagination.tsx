"use client";

import type { Table } from "@tanstack/react-table";
import { ChevronLeft, ChevronRight, ChevronsLeft, ChevronsRight } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { formatNumber } from "@/lib/format";

export const PAGE_SIZES = [25, 50, 100] as const;

/** "Viewing 1-50 of 4,000", page size, and first/previous/next/last for a manual-paging table. */
export function DataTablePagination<TData>({
  table,
  totalRows,
  noun = "rows",
}: {
  table: Table<TData>;
  totalRows: number | null;
  noun?: string;
}) {
  const { pageIndex, pageSize } = table.getState().pagination;
  const pageCount = Math.max(table.getPageCount(), 1);
  const first = totalRows ? pageIndex * pageSize + 1 : 0;
  const last = totalRows ? Math.min(totalRows, (pageIndex + 1) * pageSize) : 0;

  return (
    <div className="flex flex-wrap items-center justify-between gap-3 pt-3">
      <p className="text-body text-muted" aria-live="polite" data-testid="viewing">
        {totalRows === null ? (
          "Loading…"
        ) : (
          <>
            Viewing{" "}
            <span className="font-medium text-ink">
              {formatNumber(first)}-{formatNumber(last)}
            </span>{" "}
            of <span className="font-medium text-ink">{formatNumber(totalRows)}</span> {noun}
          </>
        )}
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-body text-muted">
          <span className="hidden sm:inline">Rows per page</span>
          <span className="sr-only sm:hidden">Rows per page</span>
          <Select
            value={pageSize}
            onChange={(event) => table.setPageSize(Number(event.target.value))}
            className="h-8"
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </Select>
        </label>
        <span className="text-body text-muted">
          Page <span className="font-medium text-ink">{formatNumber(pageIndex + 1)}</span> of {formatNumber(pageCount)}
        </span>
        <div className="flex items-center gap-1">
          <Button
            variant="secondary"
            size="icon"
            className="hidden h-8 w-8 sm:inline-flex"
            aria-label="First page"
            onClick={() => table.setPageIndex(0)}
            disabled={!table.getCanPreviousPage()}
          >
            <ChevronsLeft className="h-4 w-4" />
          </Button>
          <Button
            variant="secondary"
            size="icon"
            className="h-8 w-8"
            aria-label="Previous page"
            onClick={() => table.previousPage()}
            disabled={!table.getCanPreviousPage()}
          >
            <ChevronLeft className="h-4 w-4" />
          </Button>
          <Button
            variant="secondary"
            size="icon"
            className="h-8 w-8"
            aria-label="Next page"
            onClick={() => table.nextPage()}
            disabled={!table.getCanNextPage()}
          >
            <ChevronRight className="h-4 w-4" />
          </Button>
          <Button
            variant="secondary"
            size="icon"
            className="hidden h-8 w-8 sm:inline-flex"
            aria-label="Last page"
            onClick={() => table.setPageIndex(pageCount - 1)}
            disabled={!table.getCanNextPage()}
          >
            <ChevronsRight className="h-4 w-4" />
          </Button>
        </div>
      </div>
    </div>
  );
}
