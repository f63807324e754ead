import { AlertTriangle, SearchX } from "lucide-react";
import type { ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/api/client";

/** Says why a table is empty and what to do about it. */
export function EmptyState({ title, body, action }: { title: string; body?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-2 px-6 py-16 text-center" data-testid="empty-state">
      <span className="grid h-11 w-11 place-items-center rounded-full bg-subtle text-muted">
        <SearchX aria-hidden="true" className="h-5 w-5" />
      </span>
      <p className="font-semibold text-ink">{title}</p>
      {body ? <p className="max-w-sm text-muted">{body}</p> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

/** A readable error with Retry; a wrong query shows the API's own message and suggestions. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const apiError = error instanceof ApiError ? error : null;
  const title = apiError?.retryable === false ? "This view could not be loaded" : "Could not load the data";
  const message = apiError?.message ?? "Something went wrong while loading.";
  return (
    <div
      role="alert"
      className="flex flex-col items-center gap-2 px-6 py-16 text-center"
      data-testid="error-state"
      data-code={apiError?.code}
    >
      <span className="grid h-11 w-11 place-items-center rounded-full bg-negative-soft text-negative">
        <AlertTriangle aria-hidden="true" className="h-5 w-5" />
      </span>
      <p className="font-semibold text-ink">{title}</p>
      <p className="max-w-md text-muted">
        {message}
        {apiError?.suggestions.length ? ` Did you mean: ${apiError.suggestions.join(", ")}?` : ""}
      </p>
      {onRetry ? (
        <Button variant="secondary" className="mt-2" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}
