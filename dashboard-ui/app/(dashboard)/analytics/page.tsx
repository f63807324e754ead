import type { Metadata } from "next";
import { Suspense } from "react";

import { AnalyticsDashboard } from "@/components/analytics/analytics-dashboard";
import { AnalyticsSkeleton } from "@/components/analytics/analytics-skeleton";
import { RoleGate } from "@/components/layout/role-gate";

export const metadata: Metadata = { title: "Analytics" };

export default function AnalyticsPage() {
  // useSearchParams() (the range lives in the URL) needs a Suspense boundary for static rendering.
  return (
    <RoleGate roles={["manager"]} page="Analytics">
      <Suspense fallback={<AnalyticsSkeleton />}>
        <AnalyticsDashboard />
      </Suspense>
    </RoleGate>
  );
}
