import { Badge } from "@/components/ui/badge";
import type { Delta } from "@/lib/analytics/format";

const SPOKEN: Record<Delta["direction"], string> = {
  up: "up",
  down: "down",
  flat: "",
  new: "",
  none: "",
};

/** "▲ 12.4%" in green when up is good (red when up is bad), always with the arrow and words. */
export function DeltaChip({ delta, versus }: { delta: Delta; versus: string }) {
  const tone = delta.tone === "positive" ? "positive" : delta.tone === "negative" ? "negative" : "neutral";
  const spoken = SPOKEN[delta.direction];
  return (
    <span className="flex min-w-0 flex-wrap items-center gap-x-1.5 gap-y-0.5" data-testid="delta">
      <Badge tone={tone} className="tabular-nums" data-direction={delta.direction}>
        <span aria-hidden="true">{delta.text}</span>
        <span className="sr-only">
          {spoken ? `${spoken} ${delta.text.replace(/^[▲▼]\s*/, "")}` : delta.text}
          {delta.tone === "positive" ? " (good)" : delta.tone === "negative" ? " (worse)" : ""}
        </span>
      </Badge>
      {delta.direction !== "none" ? <span className="truncate text-label text-muted">{versus}</span> : null}
    </span>
  );
}
