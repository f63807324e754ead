import { ChevronRight } from "lucide-react";
import Link from "next/link";

import { cn } from "@/lib/utils";

import { colorAt } from "./chart-config";

export interface BarListItem {
  key: string;
  label: string;
  value: number | null;
  /** the value as shown */
  display: string;
  /** a second fact shown beside the value ("412 booked") */
  detail?: string;
  /** drill-down target; the row becomes a link (keyboard: Tab + Enter) */
  href?: string;
  color?: string;
}

/**
 * Horizontal bars as a list: each row names its category and value in words above a thin bar
 * (the bar is a visual aid only, scaled from zero to the largest value); a row with a `href` is
 * a link that drills down.
 */
export function BarList({
  items,
  ariaLabel,
  linkHint = "Open patients",
  className,
  color,
}: {
  items: BarListItem[];
  ariaLabel: string;
  linkHint?: string;
  className?: string;
  color?: string;
}) {
  const max = Math.max(0, ...items.map((i) => i.value ?? 0)) || 1;
  return (
    <ul aria-label={ariaLabel} className={cn("flex flex-col", className)} data-testid="bar-list">
      {items.map((item) => {
        const share = Math.max(0, (item.value ?? 0) / max);
        const body = (
          <>
            <span className="flex items-baseline justify-between gap-3">
              <span className="min-w-0 truncate text-ink">{item.label}</span>
              <span className="flex shrink-0 items-baseline gap-2 tabular-nums">
                {item.detail ? <span className="text-label text-muted">{item.detail}</span> : null}
                <span className="font-semibold text-ink">{item.display}</span>
              </span>
            </span>
            <span aria-hidden="true" className="mt-1.5 block h-1.5 w-full overflow-hidden rounded-full bg-subtle">
              <span
                className="block h-full rounded-full"
                style={{ width: `${(share * 100).toFixed(2)}%`, background: item.color ?? color ?? colorAt(0), minWidth: share > 0 ? 4 : 0 }}
              />
            </span>
          </>
        );
        return (
          <li key={item.key}>
            {item.href ? (
              <Link
                href={item.href}
                className="group flex items-center gap-2 rounded-control px-2 py-2 transition-colors hover:bg-subtle"
                data-testid="bar-link"
              >
                {/* the name is the visible text, then where the link leads */}
                <span className="min-w-0 flex-1">{body}</span>
                {linkHint ? <span className="sr-only">. {linkHint}</span> : null}
                <ChevronRight aria-hidden="true" className="h-4 w-4 shrink-0 text-muted transition-colors group-hover:text-ink" />
              </Link>
            ) : (
              <div className="px-2 py-2">{body}</div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
