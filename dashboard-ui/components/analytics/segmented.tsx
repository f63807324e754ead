import { cn } from "@/lib/utils";

/** A small segmented toggle (e.g. Week | Month) inside a card header. */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  options: { id: T; label: string }[];
  onChange: (value: T) => void;
  testId?: string;
}) {
  return (
    <div role="group" aria-label={label} className="flex items-center rounded-full border border-border bg-surface p-0.5" data-testid={testId}>
      {options.map((option) => (
        <button
          key={option.id}
          type="button"
          aria-pressed={option.id === value}
          onClick={() => onChange(option.id)}
          className={cn(
            "h-7 rounded-full px-3 text-label font-medium transition-colors",
            option.id === value ? "bg-primary-soft text-primary" : "text-muted hover:text-ink",
          )}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
