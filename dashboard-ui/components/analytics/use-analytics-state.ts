"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { parseAnalyticsParams, serializeAnalyticsParams, type AnalyticsState } from "@/lib/analytics/state";

/**
 * The page state from the URL, and an update that pushes a history entry (so Back undoes it).
 * The state is also held locally so that two quick changes (range, then comparison) build on each
 * other even before the router has applied the first URL; Back/Forward re-read the URL.
 */
export function useAnalyticsState() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const fromUrl = useMemo(() => parseAnalyticsParams(params), [params]);
  const [state, setState] = useState(fromUrl);
  const latest = useRef(state);
  useEffect(() => {
    latest.current = fromUrl;
    setState(fromUrl);
  }, [fromUrl]);

  const update = useCallback(
    (patch: Partial<AnalyticsState>) => {
      const nextState = { ...latest.current, ...patch };
      latest.current = nextState;
      setState(nextState);
      const next = serializeAnalyticsParams(nextState);
      router.push(next ? `${pathname}?${next}` : pathname, { scroll: false });
    },
    [router, pathname],
  );
  return [state, update] as const;
}
