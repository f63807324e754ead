import { cn } from "@/lib/utils";

export interface LegendItem {
  key: string;
  label: string;
  color: string;
  dashed?: boolean;
}

/** Series names with their swatch (line or dot), so no series is told apart by colour alone. */
export function Legend({ items, className }: { items: LegendItem[]; className?: string }) {
  return (
    <ul className={cn("flex flex-wrap items-center gap-x-4 gap-y-1 text-label text-muted", className)}>
      {items.map((item) => (
        <li key={item.key} className="flex items-center gap-1.5">
          {item.dashed ? (
            <svg aria-hidden="true" width="16" height="4" className="shrink-0">
              <line x1="0" x2="16" y1="2" y2="2" stroke={item.color} strokeWidth="2" strokeDasharray="4 3" />
            </svg>
          ) : (
            <span aria-hidden="true" className="h-2.5 w-2.5 shrink-0 rounded-full" style={{ background: item.color }} />
          )}
          {item.label}
        </li>
      ))}
    </ul>
  );
}
