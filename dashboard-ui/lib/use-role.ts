"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { api } from "@/lib/api/client";

const REMEMBERED = "medspa.role";

/** The role last seen for this browser tab's sign-in (not a secret: the API enforces roles; this only keeps the
 * navigation whole when `GET /api/auth/me` cannot answer, e.g. while the API is down). */
function remembered(): string | null {
  try {
    return window.sessionStorage.getItem(REMEMBERED);
  } catch {
    return null;
  }
}

export function rememberRole(role: string): void {
  try {
    window.sessionStorage.setItem(REMEMBERED, role);
  } catch {
    // storage unavailable: the role is simply not remembered
  }
}

export function forgetRole(): void {
  try {
    window.sessionStorage.removeItem(REMEMBERED);
  } catch {
    // storage unavailable: nothing to forget
  }
}

/** Who is signed in (`GET /api/auth/me`), shared by the header, the menu and the role gates. */
export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: ({ signal }) => api.me({ signal }), staleTime: 5 * 60_000 });
}

/** The signed-in role: from the API, else the one remembered from it; null while neither is known. */
export function useRole(): { role: string | null; settled: boolean } {
  const me = useMe();
  const [stored, setStored] = useState<string | null>(null);
  useEffect(() => setStored(remembered()), []);
  useEffect(() => {
    if (me.data?.role) {
      rememberRole(me.data.role);
      setStored(me.data.role);
    }
  }, [me.data?.role]);
  const role = me.data?.role ?? stored;
  return { role, settled: role !== null || me.isError };
}
