import { AlertTriangle, Inbox, Lock } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { ApiError } from "@/lib/api/client";

/** The page the browser is on, for "sign in and come back". */
function here(): string {
  if (typeof window === "undefined") return "/analytics";
  return `${window.location.pathname}${window.location.search}`;
}

/** A card's error: the API's own message, a Retry, and a way forward for sign-in and role errors. */
export function CardError({ error, onRetry, compact = false }: { error: unknown; onRetry?: () => void; compact?: boolean }) {
  const apiError = error instanceof ApiError ? error : null;
  const signIn = apiError?.status === 401;
  const forbidden = apiError?.status === 403 || apiError?.code === "forbidden_member";
  const title = signIn
    ? "Sign in to see this"
    : forbidden
      ? "Your role cannot see this"
      : apiError?.retryable === false
        ? "This chart's query was refused"
        : "Could not load this";
  const message = signIn
    ? "Your session has ended or you are not signed in."
    : (apiError?.message ?? "Something went wrong while loading.");
  return (
    <div
      role="alert"
      className={compact ? "flex flex-col items-start gap-2 py-4" : "flex flex-col items-center gap-2 px-4 py-10 text-center"}
      data-testid="card-error"
    >
      <span className="grid h-9 w-9 place-items-center rounded-full bg-negative-soft text-negative">
        {signIn || forbidden ? <Lock aria-hidden="true" className="h-4 w-4" /> : <AlertTriangle aria-hidden="true" className="h-4 w-4" />}
      </span>
      <p className="font-semibold text-ink">{title}</p>
      <p className="max-w-md text-muted">
        {message}
        {apiError?.suggestions.length ? ` Try: ${apiError.suggestions.join(", ")}.` : ""}
      </p>
      {apiError && !signIn ? <p className="text-label text-muted">Code: {apiError.code}</p> : null}
      <div className="mt-1 flex gap-2">
        {signIn ? (
          <Button asChild size="sm">
            <Link href={`/login?next=${encodeURIComponent(here())}`}>Sign in</Link>
          </Button>
        ) : null}
        {onRetry && !forbidden ? (
          <Button variant="secondary" size="sm" onClick={onRetry}>
            Retry
          </Button>
        ) : null}
      </div>
    </div>
  );
}

/** Why a card is empty, and what to do. */
export function CardEmpty({ title, body, icon, action }: { title: string; body?: ReactNode; icon?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-2 px-4 py-10 text-center" data-testid="card-empty">
      <span className="grid h-9 w-9 place-items-center rounded-full bg-subtle text-muted">
        {icon ?? <Inbox aria-hidden="true" className="h-4 w-4" />}
      </span>
      <p className="font-semibold text-ink">{title}</p>
      {body ? <p className="max-w-md text-muted">{body}</p> : null}
      {action}
    </div>
  );
}

/** A chart-shaped placeholder while a card loads. */
export function CardSkeleton({ height = 240, variant = "chart" }: { height?: number; variant?: "chart" | "list" }) {
  if (variant === "list") {
    return (
      <div className="flex flex-col gap-2" style={{ minHeight: height }} aria-hidden="true">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-9" style={{ width: `${92 - i * 11}%` }} />
        ))}
      </div>
    );
  }
  return (
    <div className="flex items-end gap-2 px-2" style={{ height }} aria-hidden="true">
      {[40, 62, 48, 75, 58, 83, 66, 90, 72, 60, 78, 86].map((h, i) => (
        <Skeleton key={i} className="flex-1 rounded-b-none" style={{ height: `${h}%` }} />
      ))}
    </div>
  );
}
