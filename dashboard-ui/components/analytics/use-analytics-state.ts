"use client";

import { useQueryStates } from "nuqs";
import { useCallback, useMemo } from "react";

import { analyticsParsers, paramsFromState, stateFromParams, type AnalyticsState } from "@/lib/analytics/state";

/**
 * The page state from the URL (nuqs), and an update that pushes a history entry (so Back undoes it).
 * Two quick changes (range, then comparison) build on each other: nuqs applies updates in order before
 * the URL catches up.
 */
export function useAnalyticsState() {
  const [params, setParams] = useQueryStates(analyticsParsers, { history: "push", scroll: false });
  const state = useMemo(() => stateFromParams(params), [params]);
  const update = useCallback(
    (patch: Partial<AnalyticsState>) => {
      void setParams((current) => paramsFromState({ ...stateFromParams(current), ...patch }));
    },
    [setParams],
  );
  return [state, update] as const;
}
