import { Compass } from "lucide-react";
import type { Metadata } from "next";

import { ComingSoon } from "@/components/layout/coming-soon";
import { PageHeader } from "@/components/layout/page-header";

export const metadata: Metadata = { title: "Explore" };

export default function ExplorePage() {
  return (
    <>
      <PageHeader title="Explore" description="Ask your own questions of the data." />
      <ComingSoon
        icon={Compass}
        title="Coming soon"
        body="Pick measures and dimensions from the catalog, see the rows and the SQL behind them."
      />
    </>
  );
}
