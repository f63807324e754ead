import { parsePhone } from "@/lib/phone";
import { cn } from "@/lib/utils";

/** A phone number in the national format, dialled with its extension separated; the raw text if unparseable. */
export function PhoneLink({
  raw,
  className,
  tabIndex,
  stopPropagation = false,
}: {
  raw: string | null | undefined;
  className?: string;
  tabIndex?: number;
  stopPropagation?: boolean;
}) {
  const phone = parsePhone(raw);
  if (!phone) return <span className={className}>{raw?.trim() || "No phone"}</span>;
  return (
    <a
      href={phone.href}
      tabIndex={tabIndex}
      onClick={stopPropagation ? (event) => event.stopPropagation() : undefined}
      className={cn("whitespace-nowrap tabular-nums text-ink underline-offset-2 hover:text-primary hover:underline", className)}
      data-testid="phone-link"
    >
      <span className="sr-only">Call </span>
      {phone.number}
      {phone.extension ? <span className="text-muted"> ext. {phone.extension}</span> : null}
    </a>
  );
}
