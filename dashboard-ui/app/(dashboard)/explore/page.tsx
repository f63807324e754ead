import type { Metadata } from "next";
import { Suspense } from "react";

import { CardSkeleton } from "@/components/analytics/card-states";
import { ExplorePage } from "@/components/explore/explore-page";
import { RoleGate } from "@/components/layout/role-gate";

export const metadata: Metadata = { title: "Explore" };

export default function Explore() {
  // The query lives in the URL (useSearchParams), which needs a Suspense boundary.
  return (
    <RoleGate roles={["manager"]} page="Explore">
      <Suspense fallback={<CardSkeleton height={320} variant="list" />}>
        <ExplorePage />
      </Suspense>
    </RoleGate>
  );
}
