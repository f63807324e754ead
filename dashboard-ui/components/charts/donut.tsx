"use client";

import Link from "next/link";
import { useState } from "react";

import { cn } from "@/lib/utils";

import { colorAt } from "./chart-config";

export interface DonutSlice {
  key: string;
  label: string;
  value: number;
  display: string;
  /** a second fact, e.g. "1,206 payments" */
  detail?: string;
  href?: string;
  /** fixed per value (lib/analytics/value-colors.ts); default: by position */
  color?: string;
}

const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });

/**
 * A donut of a mix with its legend beside it. The legend rows carry every value and share in
 * words and are the keyboard targets (links that drill down); the slices mirror them on hover.
 */
export function Donut({
  slices,
  ariaLabel,
  centerLabel,
  centerValue,
  className,
}: {
  slices: DonutSlice[];
  ariaLabel: string;
  centerLabel: string;
  centerValue: string;
  className?: string;
}) {
  const [active, setActive] = useState<string | null>(null);
  const total = slices.reduce((s, x) => s + Math.max(0, x.value), 0);
  const size = 160;
  const r = 64;
  const stroke = 22;
  const c = 2 * Math.PI * r;
  let offset = 0;
  return (
    <div className={cn("flex flex-col items-center gap-6 sm:flex-row sm:items-center", className)}>
      <div className="relative shrink-0" style={{ width: size, height: size }}>
        <svg width={size} height={size} viewBox={`0 0 ${size} ${size}`} role="img" aria-label={ariaLabel}>
          <circle cx={size / 2} cy={size / 2} r={r} fill="none" stroke="rgb(var(--color-subtle))" strokeWidth={stroke} />
          {total > 0
            ? slices.map((slice, i) => {
                const length = (Math.max(0, slice.value) / total) * c;
                const dash = `${Math.max(0, length - 1.5)} ${c}`;
                const el = (
                  <circle
                    key={slice.key}
                    cx={size / 2}
                    cy={size / 2}
                    r={r}
                    fill="none"
                    stroke={slice.color ?? colorAt(i)}
                    strokeWidth={active === slice.key ? stroke + 6 : stroke}
                    strokeDasharray={dash}
                    strokeDashoffset={-offset}
                    transform={`rotate(-90 ${size / 2} ${size / 2})`}
                    onPointerEnter={() => setActive(slice.key)}
                    onPointerLeave={() => setActive(null)}
                    style={{ transition: "stroke-width 120ms" }}
                  />
                );
                offset += length;
                return el;
              })
            : null}
        </svg>
        <div className="pointer-events-none absolute inset-0 flex flex-col items-center justify-center text-center">
          <span className="text-lg font-semibold tabular-nums text-ink">{centerValue}</span>
          <span className="text-label text-muted">{centerLabel}</span>
        </div>
      </div>
      <ul className="flex w-full min-w-0 flex-col gap-1">
        {slices.map((slice, i) => {
          const share = total > 0 ? slice.value / total : 0;
          const content = (
            <>
              <span className="flex min-w-0 items-center gap-2">
                <span aria-hidden="true" className="h-2.5 w-2.5 shrink-0 rounded-full" style={{ background: slice.color ?? colorAt(i) }} />
                <span className="truncate font-medium text-ink">{slice.label}</span>
              </span>
              <span className="flex shrink-0 items-baseline gap-2 tabular-nums">
                {slice.detail ? <span className="hidden text-label text-muted sm:inline">{slice.detail}</span> : null}
                <span className="font-semibold text-ink">{slice.display}</span>
                <span className="w-12 text-right text-label text-muted">{percent.format(share)}</span>
              </span>
            </>
          );
          const classes = cn(
            "flex items-center justify-between gap-3 rounded-control px-2 py-1.5",
            active === slice.key && "bg-subtle",
          );
          return (
            <li key={slice.key} onPointerEnter={() => setActive(slice.key)} onPointerLeave={() => setActive(null)}>
              {slice.href ? (
                <Link
                  href={slice.href}
                  className={cn(classes, "hover:bg-subtle")}
                  onFocus={() => setActive(slice.key)}
                  onBlur={() => setActive(null)}
                >
                  {content}
                  <span className="sr-only">, {percent.format(share)} of the total. Open in Explore</span>
                </Link>
              ) : (
                <div className={classes}>{content}</div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
