"use client";

import { flexRender, type Row, type Table } from "@tanstack/react-table";
import { useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";

import { Skeleton } from "@/components/ui/skeleton";
import { cn } from "@/lib/utils";

import "./types";

export interface DataTableProps<TData> {
  table: Table<TData>;
  /** An accessible name for the table. */
  caption: string;
  /** No data yet: show skeleton rows. */
  loading?: boolean;
  /** Data is being replaced (sort, page): keep it on screen, dimmed. */
  fetching?: boolean;
  /** Replaces the body (error or empty state). */
  placeholder?: ReactNode;
  skeletonRows?: number;
  onRowOpen?: (row: TData, event: MouseEvent | KeyboardEvent) => void;
  rowLabel?: (row: TData) => string;
  /** Under `md`, rows are shown as cards rendered by this function. */
  renderCard?: (row: TData) => ReactNode;
  className?: string;
}

/**
 * A generic, server-driven table (TanStack Table v8 with manual sorting and pagination: the
 * caller owns the state, usually the URL). Sticky header inside its own scroll area; rows open
 * with Enter or a click. The rows are one tab stop (a roving tabindex): Tab enters the table at
 * the last row used, ↑/↓, Home and End move between rows, Tab leaves.
 */
export function DataTable<TData>({
  table,
  caption,
  loading = false,
  fetching = false,
  placeholder,
  skeletonRows = 10,
  onRowOpen,
  rowLabel,
  renderCard,
  className,
}: DataTableProps<TData>) {
  const columns = table.getVisibleLeafColumns();
  const rows = table.getRowModel().rows;
  const [activeRow, setActiveRow] = useState(0);
  const current = Math.min(activeRow, Math.max(rows.length - 1, 0));

  const open = (row: Row<TData>, event: MouseEvent | KeyboardEvent) => onRowOpen?.(row.original, event);
  const onRowKeyDown = (row: Row<TData>) => (event: KeyboardEvent<HTMLTableRowElement>) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open(row, event);
    } else if (["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) {
      event.preventDefault();
      const body = event.currentTarget.parentElement;
      const target =
        event.key === "ArrowDown"
          ? event.currentTarget.nextElementSibling
          : event.key === "ArrowUp"
            ? event.currentTarget.previousElementSibling
            : event.key === "Home"
              ? body?.firstElementChild
              : body?.lastElementChild;
      (target as HTMLElement | null)?.focus();
    }
  };

  return (
    <div
      className={cn("overflow-hidden rounded-control border border-border bg-surface shadow-soft", className)}
      data-state={loading ? "loading" : fetching ? "fetching" : placeholder ? "placeholder" : "idle"}
      data-testid="data-table"
    >
      <div
        className={cn("relative max-h-[calc(100dvh-14rem)] min-h-[16rem] overflow-auto", renderCard && "hidden md:block")}
        aria-busy={loading || fetching}
      >
        <table className="w-full border-separate border-spacing-0 text-left text-body">
          <caption className="sr-only">{caption}</caption>
          <thead className="sticky top-0 z-10 bg-subtle">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const meta = header.column.columnDef.meta;
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                      className={cn(
                        "h-10 whitespace-nowrap border-b border-border px-2.5 text-label font-medium text-muted first:pl-4 last:pr-4",
                        meta?.align === "right" && "text-right",
                        meta?.className,
                      )}
                    >
                      {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className={cn("transition-opacity", fetching && !loading && "opacity-60")}>
            {placeholder ? (
              <tr>
                <td colSpan={columns.length} className="p-0">
                  {placeholder}
                </td>
              </tr>
            ) : loading ? (
              Array.from({ length: skeletonRows }, (_, i) => (
                <tr key={`skeleton-${i}`} data-testid="skeleton-row">
                  {columns.map((column) => (
                    <td key={column.id} className="border-b border-border px-2.5 py-3 first:pl-4 last:pr-4">
                      <Skeleton className={cn("h-4", column.columnDef.meta?.align === "right" ? "ml-auto w-12" : "w-3/4")} />
                      {column.getIndex() === 0 ? <Skeleton className="mt-1.5 h-3 w-1/3" /> : null}
                    </td>
                  ))}
                </tr>
              ))
            ) : (
              rows.map((row, index) => (
                <tr
                  key={row.id}
                  tabIndex={onRowOpen ? (index === current ? 0 : -1) : undefined}
                  onFocus={() => setActiveRow(index)}
                  aria-label={rowLabel?.(row.original)}
                  onClick={onRowOpen ? (event) => open(row, event) : undefined}
                  onKeyDown={onRowOpen ? onRowKeyDown(row) : undefined}
                  data-testid="data-row"
                  className={cn(
                    "group align-top transition-colors",
                    onRowOpen && "cursor-pointer hover:bg-page focus-visible:bg-primary-soft/60 focus-visible:outline-offset-[-2px]",
                  )}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td
                      key={cell.id}
                      className={cn(
                        "border-b border-border px-2.5 py-2.5 first:pl-4 last:pr-4 group-last:border-b-0",
                        cell.column.columnDef.meta?.align === "right" && "text-right",
                        cell.column.columnDef.meta?.className,
                      )}
                    >
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>

      {renderCard ? (
        <div className="md:hidden" aria-busy={loading || fetching}>
          {placeholder ? (
            placeholder
          ) : loading ? (
            <ul aria-label={caption} className="divide-y divide-border">
              {Array.from({ length: 6 }, (_, i) => (
                <li key={i} className="flex flex-col gap-2 p-4" data-testid="skeleton-card">
                  <Skeleton className="h-4 w-1/2" />
                  <Skeleton className="h-3 w-1/3" />
                  <Skeleton className="h-3 w-2/3" />
                </li>
              ))}
            </ul>
          ) : (
            <ul aria-label={caption} className={cn("divide-y divide-border transition-opacity", fetching && "opacity-60")}>
              {rows.map((row) => (
                <li key={row.id} data-testid="data-card">
                  {renderCard(row.original)}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
