"use client";

import { Table2 } from "lucide-react";
import { useId, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/lib/utils";

import { CardEmpty, CardError, CardSkeleton } from "./card-states";

export interface QueryLike {
  isPending: boolean;
  isFetching: boolean;
  isError: boolean;
  isPlaceholderData?: boolean;
  error: unknown;
  refetch: () => unknown;
}

export type CardStatus = "loading" | "error" | "empty" | "ready";

/** The status of a card fed by several queries: any error wins, then loading, then empty. */
export function statusOf(queries: QueryLike[], isEmpty: () => boolean): CardStatus {
  if (queries.some((q) => q.isError)) return "error";
  if (queries.some((q) => q.isPending)) return "loading";
  return isEmpty() ? "empty" : "ready";
}

export interface SectionCardProps {
  id: string;
  title: string;
  description?: ReactNode;
  /** controls in the header (e.g. a grain toggle) */
  actions?: ReactNode;
  queries: QueryLike[];
  status: CardStatus;
  empty?: { title: string; body?: ReactNode; icon?: ReactNode };
  /** the table alternative, rendered only when asked for */
  table?: () => ReactNode;
  skeleton?: "chart" | "list";
  skeletonHeight?: number;
  className?: string;
  children?: ReactNode;
  footer?: ReactNode;
}

/**
 * A dashboard section: title, description, a chart, and on demand its table. Loading shows a
 * skeleton, a failed query an error with Retry, nothing to show an empty state that says why.
 */
export function SectionCard({
  id,
  title,
  description,
  actions,
  queries,
  status,
  empty,
  table,
  skeleton = "chart",
  skeletonHeight = 240,
  className,
  children,
  footer,
}: SectionCardProps) {
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();
  const headingId = `${id}-title`;
  const updating = status === "ready" && queries.some((q) => q.isFetching);
  const retry = () => queries.filter((q) => q.isError).forEach((q) => void q.refetch());
  const error = queries.find((q) => q.isError)?.error;

  return (
    <Card
      className={cn("flex min-w-0 flex-col", className)}
      role="region"
      aria-labelledby={headingId}
      aria-busy={status === "loading" || updating}
      data-testid={`section-${id}`}
      data-state={updating ? "fetching" : status}
    >
      <div className="flex flex-wrap items-start justify-between gap-3 p-5 pb-0 sm:p-6 sm:pb-0">
        <div className="min-w-0 flex-1 basis-60">
          <h2 id={headingId} className="text-base font-semibold text-ink">
            {title}
          </h2>
          {description ? <p className="mt-0.5 text-body text-muted">{description}</p> : null}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {actions}
          {table && status === "ready" ? (
            <Button
              variant="secondary"
              size="sm"
              aria-expanded={showTable}
              aria-controls={tableId}
              onClick={() => setShowTable((v) => !v)}
              data-testid={`toggle-table-${id}`}
            >
              <Table2 aria-hidden="true" className="h-3.5 w-3.5" />
              {showTable ? "Hide table" : "Show table"}
            </Button>
          ) : null}
        </div>
      </div>
      <div className={cn("flex-1 p-5 sm:p-6", updating && "opacity-70 transition-opacity")}>
        {status === "loading" ? (
          <>
            <span className="sr-only">Loading {title}</span>
            <CardSkeleton height={skeletonHeight} variant={skeleton} />
          </>
        ) : status === "error" ? (
          <CardError error={error} onRetry={retry} />
        ) : status === "empty" ? (
          <CardEmpty title={empty?.title ?? "Nothing in this period"} body={empty?.body ?? "Try a longer date range."} icon={empty?.icon} />
        ) : (
          children
        )}
        {status === "ready" && showTable && table ? (
          <div id={tableId} className="mt-5">
            {table()}
          </div>
        ) : null}
      </div>
      {footer && status === "ready" ? <div className="border-t border-border px-5 py-3 sm:px-6">{footer}</div> : null}
    </Card>
  );
}
