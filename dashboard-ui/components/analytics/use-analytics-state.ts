"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

import { parseAnalyticsParams, serializeAnalyticsParams, type AnalyticsState } from "@/lib/analytics/state";

/** The page state from the URL, and an update that pushes a history entry (so Back undoes it). */
export function useAnalyticsState() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const state = useMemo(() => parseAnalyticsParams(params), [params]);
  const update = useCallback(
    (patch: Partial<AnalyticsState>) => {
      const next = serializeAnalyticsParams({ ...state, ...patch });
      router.push(next ? `${pathname}?${next}` : pathname, { scroll: false });
    },
    [state, router, pathname],
  );
  return [state, update] as const;
}
