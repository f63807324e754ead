"use client";

import { Lock } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useRole } from "@/lib/use-role";

/**
 * A page only some roles may use: for anyone else it says so in words and renders nothing of the page, so
 * none of its queries is ever sent (the API would refuse them anyway). While the role is not known yet, a
 * skeleton (still nothing fetched).
 */
export function RoleGate({ roles, page, children }: { roles: string[]; page: string; children: ReactNode }) {
  const { role, settled } = useRole();
  if (!settled || role === null) {
    return (
      <div className="flex flex-col gap-4" aria-busy="true" data-testid="role-pending">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-64 w-full rounded-card" />
      </div>
    );
  }
  if (!roles.includes(role)) {
    return (
      <div className="mx-auto flex max-w-md flex-col items-center gap-3 py-20 text-center" data-testid="role-refused">
        <span className="grid h-12 w-12 place-items-center rounded-full bg-subtle text-muted">
          <Lock aria-hidden="true" className="h-5 w-5" />
        </span>
        <h1 className="text-title">{page} is for managers</h1>
        <p className="text-muted">Your sign-in is for the front desk: patients, their records and the day&apos;s schedule.</p>
        <Button asChild>
          <Link href="/patients">Go to patients</Link>
        </Button>
      </div>
    );
  }
  return <>{children}</>;
}
