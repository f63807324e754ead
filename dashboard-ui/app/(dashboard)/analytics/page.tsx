import type { Metadata } from "next";
import { Suspense } from "react";

import { AnalyticsDashboard } from "@/components/analytics/analytics-dashboard";
import { AnalyticsSkeleton } from "@/components/analytics/analytics-skeleton";

export const metadata: Metadata = { title: "Analytics" };

export default function AnalyticsPage() {
  // useSearchParams() (the range lives in the URL) needs a Suspense boundary for static rendering.
  return (
    <Suspense fallback={<AnalyticsSkeleton />}>
      <AnalyticsDashboard />
    </Suspense>
  );
}
