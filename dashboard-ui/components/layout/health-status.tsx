"use client";

import { useEffect, useState } from "react";

import { api, onApiReachability } from "@/lib/api/client";
import { cn } from "@/lib/utils";

type State = "checking" | "live" | "db_offline" | "api_offline";

const LABELS: Record<State, { short: string; long: string; dot: string }> = {
  checking: { short: "Checking", long: "Checking the connection", dot: "bg-muted/50" },
  live: { short: "Live", long: "Live: the API and database are reachable", dot: "bg-positive" },
  db_offline: { short: "Database offline", long: "Database offline: data cannot load", dot: "bg-negative" },
  api_offline: { short: "API offline", long: "API offline: the analytics server is not reachable", dot: "bg-negative" },
};

const POLL_MS = 30_000;
const RETRY_MS = 5_000; // while something is down, look again sooner

/** Polls GET /api/health and says what it found in words, with a dot (never colour alone). Any request of the
 * page that finds the API out of reach turns it to "API offline" at once (and checks again soon after). */
export function HealthStatus({ className }: { className?: string }) {
  const [state, setState] = useState<State>("checking");

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();

    let current: State = "checking";
    let inFlight = false;
    const show = (next: State) => {
      current = next;
      if (!cancelled) setState(next);
    };
    const check = async () => {
      if (inFlight) return;
      inFlight = true;
      if (timer) clearTimeout(timer);
      try {
        const health = await api.health({ signal: controller.signal });
        show(health.status === "ok" && health.database === "ok" ? "live" : "db_offline");
      } catch (error) {
        if (error instanceof DOMException && error.name === "AbortError") return;
        show("api_offline");
      } finally {
        inFlight = false;
      }
      if (!cancelled) timer = setTimeout(check, current === "live" ? POLL_MS : RETRY_MS);
    };
    const stopListening = onApiReachability((reach) => {
      if (reach === "unreachable" && current !== "api_offline") {
        show("api_offline");
        if (timer) clearTimeout(timer);
        timer = setTimeout(check, RETRY_MS);
      } else if (reach === "reachable" && current === "api_offline" && !inFlight) {
        void check();
      }
    });
    const onFocus = () => {
      if (timer) clearTimeout(timer);
      void check();
    };

    void check();
    window.addEventListener("focus", onFocus);
    return () => {
      cancelled = true;
      stopListening();
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
