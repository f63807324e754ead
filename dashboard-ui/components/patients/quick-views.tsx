"use client";

import { formatNumber } from "@/lib/format";
import { useKeepInView } from "@/lib/use-keep-in-view";
import { cn } from "@/lib/utils";

import { QUICK_VIEWS } from "./query";
import type { ViewId } from "./search-params";

/** Quick views as a segmented row with live counts; scrolls sideways on phones. */
export function QuickViews({
  active,
  counts,
  onSelect,
}: {
  active: ViewId;
  counts: Record<ViewId, number | null>;
  onSelect: (view: ViewId) => void;
}) {
  // on a phone the row scrolls sideways: keep the active view in sight (after a reload or a link too)
  // (again when the counts arrive: they widen the buttons)
  const activeRef = useKeepInView<HTMLButtonElement>(`${active}:${Object.values(counts).join(",")}`);
  return (
    <nav aria-label="Quick views" className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
      <ul className="flex w-max items-center gap-1 rounded-full border border-border bg-surface p-1 shadow-soft">
        {QUICK_VIEWS.map((view) => {
          const selected = view.id === active;
          const count = counts[view.id];
          return (
            <li key={view.id}>
              <button
                type="button"
                ref={selected ? activeRef : undefined}
                aria-pressed={selected}
                title={view.description}
                onClick={() => onSelect(view.id)}
                data-testid={`view-${view.id}`}
                className={cn(
                  "inline-flex h-8 items-center gap-2 whitespace-nowrap rounded-full px-3 text-body font-medium transition-colors",
                  selected ? "bg-primary text-primary-ink" : "text-muted hover:bg-subtle hover:text-ink",
                )}
              >
                {view.label}
                {view.schedule ? null : (
                <span
                  className={cn(
                    "min-w-[2ch] rounded-full px-1.5 text-label tabular-nums",
                    selected ? "bg-primary-ink text-primary" : "bg-subtle text-muted",
                  )}
                  aria-label={count === null ? "count loading" : `${formatNumber(count)} patients`}
                >
                  {count === null ? "…" : formatNumber(count)}
                </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
