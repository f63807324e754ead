"use client";

import { useEffect, useState } from "react";

import { api } from "@/lib/api/client";
import { cn } from "@/lib/utils";

type State = "checking" | "live" | "db_offline" | "api_offline";

const LABELS: Record<State, { short: string; long: string; dot: string }> = {
  checking: { short: "Checking", long: "Checking the connection", dot: "bg-muted/50" },
  live: { short: "Live", long: "Live: the API and database are reachable", dot: "bg-positive" },
  db_offline: { short: "Database offline", long: "Database offline: data cannot load", dot: "bg-negative" },
  api_offline: { short: "API offline", long: "API offline: the analytics server is not reachable", dot: "bg-negative" },
};

const POLL_MS = 30_000;

/** Polls GET /api/health and says what it found in words, with a dot (never colour alone). */
export function HealthStatus({ className }: { className?: string }) {
  const [state, setState] = useState<State>("checking");

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();

    const check = async () => {
      try {
        const health = await api.health({ signal: controller.signal });
        if (!cancelled) setState(health.status === "ok" ? "live" : "db_offline");
      } catch {
        if (!cancelled) setState("api_offline");
      }
      if (!cancelled) timer = setTimeout(check, POLL_MS);
    };
    const onFocus = () => {
      if (timer) clearTimeout(timer);
      void check();
    };

    void check();
    window.addEventListener("focus", onFocus);
    return () => {
      cancelled = true;
      controller.abort();
      if (timer) clearTimeout(timer);
      window.removeEventListener("focus", onFocus);
    };
  }, []);

  const label = LABELS[state];
  return (
    <div
      role="status"
      aria-live="polite"
      title={label.long}
      data-state={state}
      className={cn(
        "inline-flex h-8 items-center gap-2 rounded-full border border-border bg-surface px-3 text-label font-medium",
        state === "live" ? "text-ink" : state === "checking" ? "text-muted" : "text-negative",
        className,
      )}
    >
      <span aria-hidden="true" className={cn("h-2 w-2 rounded-full", label.dot, state === "live" && "shadow-[0_0_0_3px_rgb(var(--color-positive)/0.15)]")} />
      <span>{label.short}</span>
      <span className="sr-only">{label.long.slice(label.short.length)}</span>
    </div>
  );
}
