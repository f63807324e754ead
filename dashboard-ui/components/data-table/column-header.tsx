"use client";

import type { Column } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ChevronsUpDown } from "lucide-react";

import { cn } from "@/lib/utils";

/** A sortable header: one button cycling asc → desc → (default), announced via aria-sort on <th>. */
export function DataTableColumnHeader<TData, TValue>({
  column,
  title,
  className,
}: {
  column: Column<TData, TValue>;
  title: string;
  className?: string;
}) {
  if (!column.getCanSort()) {
    return <span className={className}>{title}</span>;
  }
  const sorted = column.getIsSorted();
  const Icon = sorted === "asc" ? ArrowUp : sorted === "desc" ? ArrowDown : ChevronsUpDown;
  const next = sorted === "asc" ? "descending" : sorted === "desc" ? "default order" : "ascending";
  return (
    <button
      type="button"
      onClick={column.getToggleSortingHandler()}
      className={cn(
        "-mx-2 inline-flex h-8 items-center gap-1 rounded-control px-2 font-medium hover:bg-border/50 hover:text-ink",
        sorted && "text-ink",
        column.columnDef.meta?.align === "right" && "flex-row-reverse",
        className,
      )}
      aria-label={`${title}: sort ${next}`}
    >
      <span>{title}</span>
      <Icon aria-hidden="true" className={cn("h-3.5 w-3.5", sorted ? "text-primary" : "text-muted/60")} />
    </button>
  );
}
