import type { RowData } from "@tanstack/react-table";

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the generics must match TanStack's declaration
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Classes for this column's header and cells (width, alignment). */
    className?: string;
    align?: "left" | "right";
    /** Human name for sort controls and screen readers. */
    label?: string;
  }
}

export {};
