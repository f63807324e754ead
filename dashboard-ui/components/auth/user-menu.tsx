"use client";

import { LogOut, UserRound } from "lucide-react";
import { useState } from "react";

import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { api } from "@/lib/api/client";
import { formatEnum } from "@/lib/format";
import { forgetRole, useMe } from "@/lib/use-role";

/** Who is signed in, and Sign out. */
export function UserMenu() {
  const me = useMe();
  const [leaving, setLeaving] = useState(false);

  const signOut = async () => {
    setLeaving(true);
    forgetRole();
    try {
      await api.logout();
    } finally {
      window.location.assign("/login");
    }
  };

  return (
    <Popover>
      <PopoverTrigger asChild>
        <button
          type="button"
          aria-label={me.data ? `Account: ${me.data.username}` : "Account"}
          className="inline-flex h-8 items-center gap-2 rounded-full border border-border bg-surface pl-1 pr-1 text-label font-medium text-ink hover:bg-subtle sm:pr-3"
        >
          <span className="grid h-6 w-6 place-items-center rounded-full bg-primary-soft text-primary">
            <UserRound aria-hidden="true" className="h-3.5 w-3.5" />
          </span>
          <span className="hidden max-w-[10rem] truncate sm:inline">{me.data?.username ?? "Account"}</span>
        </button>
      </PopoverTrigger>
      <PopoverContent align="end" className="w-56 p-2">
        {me.data ? (
          <div className="px-2 py-1.5">
            <p className="font-medium">{me.data.username}</p>
            <p className="text-label text-muted">{formatEnum(me.data.role)}</p>
          </div>
        ) : null}
        <button
          type="button"
          onClick={() => void signOut()}
          disabled={leaving}
          className="mt-1 flex w-full items-center gap-2 rounded-control px-2 py-2 text-left hover:bg-subtle disabled:opacity-50"
        >
          <LogOut aria-hidden="true" className="h-4 w-4" />
          {leaving ? "Signing out…" : "Sign out"}
        </button>
      </PopoverContent>
    </Popover>
  );
}
