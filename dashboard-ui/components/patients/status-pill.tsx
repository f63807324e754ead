import { CalendarCheck, CalendarClock, CalendarX } from "lucide-react";

import { Badge, type BadgeTone } from "@/components/ui/badge";
import { formatEnum } from "@/lib/format";

const STATUS: Record<string, { tone: BadgeTone; icon: typeof CalendarCheck }> = {
  confirmed: { tone: "primary", icon: CalendarCheck },
  pending: { tone: "gold", icon: CalendarClock },
  cancelled: { tone: "negative", icon: CalendarX },
};

/** Appointment status as a pill: icon + word, so it never relies on colour alone. */
export function StatusPill({ status }: { status: string | null | undefined }) {
  if (!status) return null;
  const style = STATUS[status] ?? { tone: "neutral" as const, icon: CalendarClock };
  const Icon = style.icon;
  return (
    <Badge tone={style.tone}>
      <Icon aria-hidden="true" className="h-3 w-3" />
      {formatEnum(status)}
    </Badge>
  );
}
