import { forwardRef, type InputHTMLAttributes } from "react";

import { cn } from "@/lib/utils";

/** A native checkbox in the brand colour (accent-color keeps it accessible and tiny). */
export const Checkbox = forwardRef<HTMLInputElement, Omit<InputHTMLAttributes<HTMLInputElement>, "type">>(
  function Checkbox({ className, ...props }, ref) {
    return (
      <input
        ref={ref}
        type="checkbox"
        className={cn("h-4 w-4 shrink-0 rounded border-border accent-primary", className)}
        {...props}
      />
    );
  },
);
