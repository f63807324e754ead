"use client";

import { RotateCcw } from "lucide-react";
import { useQueryState } from "nuqs";
import { useCallback, useMemo } from "react";

import { CardError, CardSkeleton } from "@/components/analytics/card-states";
import { PageHeader } from "@/components/layout/page-header";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { compactQuery, exploreParser, isRunnable, runnableQuery } from "@/lib/analytics/explore-url";
import { useCatalog } from "@/lib/analytics/hooks";
import type { Query } from "@/lib/api/types";
import { formatDate } from "@/lib/format";

import { AskPanel } from "./ask-panel";
import { QueryBuilder } from "./query-builder";
import { ResultPanel } from "./result-panel";

/** Explore: build any catalog query (kept in the URL), see its chart, rows and SQL; or ask. */
export function ExplorePage() {
  const catalog = useCatalog();
  // nuqs keeps the query in the URL (pushed: Back undoes an edit) and applies quick edits in order.
  const [query, setUrlQuery] = useQueryState("q", exploreParser.withOptions({ history: "push", scroll: false }));
  const sent = useMemo(() => runnableQuery(query), [query]);
  const setQuery = useCallback((next: Query) => void setUrlQuery(compactQuery(next)), [setUrlQuery]);

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
          <Button variant="secondary" onClick={() => void setUrlQuery(null)}>
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
