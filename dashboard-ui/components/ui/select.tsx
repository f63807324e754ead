import { ChevronDown } from "lucide-react";
import { forwardRef, type SelectHTMLAttributes } from "react";

import { cn } from "@/lib/utils";

/** A styled native <select>: keyboard, screen readers and phones get the platform's own picker. */
export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(
  function Select({ className, children, ...props }, ref) {
    return (
      <span className="relative inline-flex">
        <select
          ref={ref}
          className={cn(
            "h-9 appearance-none rounded-control border border-border bg-surface pl-3 pr-8 text-body text-ink shadow-soft",
            "focus-visible:border-primary disabled:opacity-50",
            className,
          )}
          {...props}
        >
          {children}
        </select>
        <ChevronDown
          aria-hidden="true"
          className="pointer-events-none absolute right-2.5 top-1/2 h-4 w-4 -translate-y-1/2 text-muted"
        />
      </span>
    );
  },
);
