import { forwardRef, type InputHTMLAttributes } from "react";

import { cn } from "@/lib/utils";

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(
  function Input({ className, type = "text", ...props }, ref) {
    return (
      <input
        ref={ref}
        type={type}
        className={cn(
          "h-9 w-full rounded-control border border-border bg-surface px-3 text-body text-ink shadow-soft",
          "placeholder:text-muted focus-visible:border-primary disabled:opacity-50",
          className,
        )}
        {...props}
      />
    );
  },
);
