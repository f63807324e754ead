import type { HTMLAttributes } from "react";

import { cn } from "@/lib/utils";

const tones = {
  neutral: "bg-subtle text-muted border-border",
  primary: "bg-primary-soft text-primary border-primary/20",
  gold: "bg-accent-soft text-accent-ink border-accent/40",
  negative: "bg-negative-soft text-negative border-negative/20",
  positive: "bg-positive-soft text-positive border-positive/20",
} as const;

export type BadgeTone = keyof typeof tones;

export interface BadgeProps extends HTMLAttributes<HTMLSpanElement> {
  tone?: BadgeTone;
}

/** A fully rounded pill. Meaning must be in its words, not only in its colour. */
export function Badge({ className, tone = "neutral", ...props }: BadgeProps) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1 whitespace-nowrap rounded-full border px-2 py-0.5 text-label font-medium",
        tones[tone],
        className,
      )}
      {...props}
    />
  );
}
