"use client";

import { useQuery } from "@tanstack/react-query";
import { Check, Copy } from "lucide-react";
import { useState } from "react";

import { CardError } from "@/components/analytics/card-states";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { api } from "@/lib/api/client";
import type { Query } from "@/lib/api/types";

const DIALECTS = [
  { id: "", label: "PostgreSQL" },
  { id: "duckdb", label: "DuckDB" },
];

/** The SQL the engine would run for the query (`POST /api/query/sql`), with its parameters. */
export function SqlView({ query }: { query: Query }) {
  const [dialect, setDialect] = useState("");
  const [copied, setCopied] = useState(false);
  const sql = useQuery({
    queryKey: ["sql", query, dialect],
    queryFn: ({ signal }) => api.querySql(query, dialect || undefined, { signal }),
  });
  const text = sql.data ? String((sql.data as { sql?: unknown }).sql ?? "") : "";
  const params = sql.data ? (sql.data as { params?: unknown }).params : undefined;
  const parameterized = sql.data ? (sql.data as { parameterized_sql?: unknown }).parameterized_sql : undefined;

  return (
    <div className="flex flex-col gap-3" data-testid="sql-view" data-state={sql.isPending ? "loading" : sql.isError ? "error" : "idle"}>
      <div className="flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-2 text-label text-muted">
          Dialect
          <Select value={dialect} onChange={(e) => setDialect(e.target.value)} className="h-8">
            {DIALECTS.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </Select>
        </label>
        <Button
          variant="secondary"
          size="sm"
          disabled={!text}
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? <Check aria-hidden="true" className="h-3.5 w-3.5" /> : <Copy aria-hidden="true" className="h-3.5 w-3.5" />}
          {copied ? "Copied" : "Copy SQL"}
        </Button>
      </div>
      {sql.isPending ? (
        <Skeleton className="h-48 w-full" />
      ) : sql.isError ? (
        <CardError error={sql.error} onRetry={() => void sql.refetch()} />
      ) : (
        <>
          <pre className="max-h-[480px] overflow-auto rounded-control border border-border bg-subtle p-4 font-mono text-[12.5px] leading-5 text-ink" data-testid="sql-text">
            <code>{text}</code>
          </pre>
          {typeof parameterized === "string" || (Array.isArray(params) && params.length > 0) ? (
            <details className="text-label text-muted">
              <summary className="cursor-pointer">As run: values bound as parameters, never spliced into the SQL</summary>
              {typeof parameterized === "string" ? (
                <pre className="mt-2 max-h-80 overflow-auto rounded-control bg-subtle p-3 font-mono">{parameterized}</pre>
              ) : null}
              <pre className="mt-2 overflow-auto rounded-control bg-subtle p-3 font-mono">{JSON.stringify(params ?? [], null, 2)}</pre>
            </details>
          ) : null}
        </>
      )}
    </div>
  );
}
