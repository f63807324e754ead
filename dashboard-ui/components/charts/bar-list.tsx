import { ChevronRight } from "lucide-react";
import Link from "next/link";

import { cn } from "@/lib/utils";

import { colorAt } from "./chart-config";

export interface BarListItem {
  key: string;
  label: string;
  value: number | null;
  /** the value as shown (exact) */
  display: string;
  /** a second fact shown beside the value ("412 bookings") */
  detail?: string;
  /** drill-down target; the row becomes a link (keyboard: Tab + Enter) */
  href?: string;
  color?: string;
}

/**
 * Horizontal bars as a list of rows: each row names its category and value in words, so the
 * bars are a visual aid only; a row with a `href` is a link that drills down.
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
    <ul aria-label={ariaLabel} className={cn("flex flex-col gap-1", className)} data-testid="bar-list">
      {items.map((item, index) => {
        const share = Math.max(0, (item.value ?? 0) / max);
        const body = (
          <>
            <span className="relative z-10 flex min-w-0 flex-1 items-center gap-2">
              <span className="truncate font-medium text-ink">{item.label}</span>
            </span>
            <span className="relative z-10 flex shrink-0 items-baseline gap-2 tabular-nums">
              {item.detail ? <span className="hidden text-label text-muted sm:inline">{item.detail}</span> : null}
              <span className="font-semibold text-ink">{item.display}</span>
              {item.href ? <ChevronRight aria-hidden="true" className="h-4 w-4 self-center text-muted" /> : null}
            </span>
            <span
              aria-hidden="true"
              className="absolute inset-y-1 left-1 rounded-[6px] opacity-[0.22]"
              style={{ width: `calc(${(share * 100).toFixed(2)}% - 8px)`, background: item.color ?? color ?? colorAt(0), minWidth: share > 0 ? 3 : 0 }}
            />
            <span
              aria-hidden="true"
              className="absolute bottom-1 left-1 h-[3px] rounded-full"
              style={{ width: `calc(${(share * 100).toFixed(2)}% - 8px)`, background: item.color ?? color ?? colorAt(index * 0), minWidth: share > 0 ? 3 : 0 }}
            />
          </>
        );
        const classes = "relative flex min-h-[40px] items-center gap-3 rounded-control px-3 py-2";
        return (
          <li key={item.key}>
            {item.href ? (
              <Link
                href={item.href}
                className={cn(classes, "transition-colors hover:bg-subtle")}
                aria-label={`${item.label}: ${item.display}${item.detail ? `, ${item.detail}` : ""}. ${linkHint}`}
                data-testid="bar-link"
              >
                {body}
              </Link>
            ) : (
              <div className={classes}>{body}</div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
