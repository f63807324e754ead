"use client";

import { useQueryStates } from "nuqs";
import { useCallback, useMemo } from "react";

import { paramsFromState, patientParsers, stateFromParams, type PatientTableState } from "./search-params";

/**
 * The table's state from the URL (nuqs), and `navigate(next)`: a shallow URL update, pushed as a history
 * entry (Back undoes it) or replacing the current one.
 */
export function usePatientTableState() {
  const [params, setParams] = useQueryStates(patientParsers, { history: "push", scroll: false });
  const state = useMemo(() => stateFromParams(params), [params]);
  const navigate = useCallback(
    (next: PatientTableState, mode: "push" | "replace" = "push") => {
      void setParams(paramsFromState(next), { history: mode });
    },
    [setParams],
  );
  return [state, navigate] as const;
}
