"use client";

import { RotateCcw } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { CardError, CardSkeleton } from "@/components/analytics/card-states";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { parseExploreQuery, runnableQuery, serializeExploreQuery, isRunnable } from "@/lib/analytics/explore-url";
import { useCatalog } from "@/lib/analytics/hooks";
import type { Query } from "@/lib/api/types";
import { formatDate } from "@/lib/format";

import { AskPanel } from "./ask-panel";
import { QueryBuilder } from "./query-builder";
import { ResultPanel } from "./result-panel";

/** Explore: build any catalog query (kept in the URL), see its chart, rows and SQL; or ask. */
export function ExplorePage() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const catalog = useCatalog();
  const fromUrl = useMemo(() => parseExploreQuery(params.get("q")), [params]);
  // Held locally too, so quick successive edits build on each other before the URL catches up.
  const [query, setLocal] = useState(fromUrl);
  const latest = useRef(query);
  useEffect(() => {
    latest.current = fromUrl;
    setLocal(fromUrl);
  }, [fromUrl]);
  const sent = useMemo(() => runnableQuery(query), [query]);

  const setQuery = useCallback(
    (next: Query) => {
      latest.current = next;
      setLocal(next);
      router.push(`${pathname}?q=${encodeURIComponent(serializeExploreQuery(next))}`, { scroll: false });
    },
    [router, pathname],
  );

  return (
    <div className="flex flex-col gap-6" data-testid="explore">
      <PageHeader
        className="mb-0"
        title="Explore"
        description={
          catalog.data?.asOf
            ? `Any measure by any dimension, straight from the catalog. Data as of ${formatDate(catalog.data.asOf)}.`
            : "Any measure by any dimension, straight from the catalog."
        }
        actions={
          <Button variant="secondary" onClick={() => router.push(pathname)}>
            <RotateCcw aria-hidden="true" className="h-4 w-4" />
            Start over
          </Button>
        }
      />
      <AskPanel />
      <Card className="p-5 sm:p-6" role="region" aria-label="Query">
        {catalog.isError ? (
          <CardError error={catalog.error} onRetry={() => void catalog.refetch()} />
        ) : catalog.data ? (
          <QueryBuilder query={query} onChange={setQuery} catalog={catalog.data} />
        ) : (
          <CardSkeleton height={180} variant="list" />
        )}
      </Card>
      {isRunnable(sent) ? (
        <ResultPanel query={sent} />
      ) : (
        <Card className="p-10 text-center text-muted">Pick a measure or a dimension to run a query.</Card>
      )}
    </div>
  );
}
