"use client";

import { Check, Download, Link2 } from "lucide-react";
import { useState } from "react";

import { CardEmpty, CardError, CardSkeleton } from "@/components/analytics/card-states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { useMetricQuery } from "@/lib/analytics/hooks";
import type { Query, QueryResponse } from "@/lib/api/types";
import { downloadText, toCsv } from "@/lib/csv";
import { formatNumber } from "@/lib/format";
import { cn } from "@/lib/utils";

import { ResultChart } from "./result-chart";
import { ResultTable } from "./result-table";
import { SqlView } from "./sql-view";

type Tab = "chart" | "table" | "sql";
const TABS: { id: Tab; label: string }[] = [
  { id: "chart", label: "Chart" },
  { id: "table", label: "Table" },
  { id: "sql", label: "SQL" },
];

function exportCsv(response: QueryResponse) {
  const header = response.columns.map((c) => c.name);
  const rows = response.rows.map((row) => header.map((h) => row[h] ?? null));
  downloadText(`explore-${response.meta.as_of ?? "export"}.csv`, toCsv(header, rows));
}

/** The answer to Explore's query: chart, table and SQL tabs, CSV export and a copyable link. */
export function ResultPanel({ query }: { query: Query }) {
  const [tab, setTab] = useState<Tab>("chart");
  const [copied, setCopied] = useState(false);
  const result = useMetricQuery(query);
  const data = result.data;
  const grain = query.time?.grain ?? null;

  return (
    <Card className="min-w-0" data-testid="explore-result" data-state={result.isError ? "error" : result.isPending ? "loading" : result.isFetching ? "fetching" : "idle"}>
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-border px-5 py-3">
        <div role="tablist" aria-label="Result view" className="flex items-center gap-1 rounded-full border border-border bg-surface p-0.5">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              onClick={() => setTab(t.id)}
              data-testid={`tab-${t.id}`}
              className={cn(
                "h-8 rounded-full px-4 text-body font-medium transition-colors",
                tab === t.id ? "bg-primary text-primary-ink" : "text-muted hover:text-ink",
              )}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {data ? (
            <span className="text-label text-muted" data-testid="result-meta">
              {formatNumber(data.total_rows)} {data.total_rows === 1 ? "row" : "rows"}
              {data.rows.length < data.total_rows ? ` (showing ${formatNumber(data.rows.length)})` : ""}
              {typeof data.meta.duration_ms === "number" ? ` · ${Math.round(data.meta.duration_ms)} ms` : ""}
            </span>
          ) : null}
          <Button variant="secondary" size="sm" disabled={!data} onClick={() => data && exportCsv(data)} data-testid="export-csv">
            <Download aria-hidden="true" className="h-3.5 w-3.5" />
            CSV
          </Button>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => {
              void navigator.clipboard?.writeText(window.location.href).then(() => {
                setCopied(true);
                setTimeout(() => setCopied(false), 1500);
              });
            }}
          >
            {copied ? <Check aria-hidden="true" className="h-3.5 w-3.5" /> : <Link2 aria-hidden="true" className="h-3.5 w-3.5" />}
            {copied ? "Link copied" : "Copy link"}
          </Button>
        </div>
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className={cn("p-5", result.isFetching && data && "opacity-70")}>
        {tab === "sql" ? (
          <SqlView query={query} />
        ) : result.isError ? (
          <CardError error={result.error} onRetry={() => void result.refetch()} />
        ) : !data ? (
          <CardSkeleton height={280} />
        ) : data.rows.length === 0 ? (
          <CardEmpty title="No rows" body="Nothing matches this query. Widen the range or remove a filter." />
        ) : tab === "chart" ? (
          <ResultChart response={data} grain={grain} />
        ) : (
          <ResultTable response={data} grain={grain} />
        )}
        {data?.meta.warnings?.length ? (
          <ul className="mt-4 text-label text-accent-ink">
            {data.meta.warnings.map((w, i) => (
              <li key={i}>Note: {String(w)}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </Card>
  );
}
