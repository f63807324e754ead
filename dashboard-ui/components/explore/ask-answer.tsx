"use client";

import { ArrowUpRight, Info } from "lucide-react";
import Link from "next/link";

import { queryOf, refusedBy, responseOf, type AskResponse } from "@/lib/analytics/ask";
import { exploreHref } from "@/lib/analytics/links";

import { AskSuggestions } from "./ask-suggestions";
import { ResultChart } from "./result-chart";
import { ResultTable } from "./result-table";

/** "Understood as: revenue by acquisition source, last 90 days" and the query's way into Explore. */
function Understood({ data }: { data: AskResponse }) {
  const query = data.queries[0] ? queryOf(data.queries[0]) : null;
  if (!data.interpretation) return null;
  return (
    <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-muted" data-testid="ask-interpretation">
      <span>
        Understood as: <span className="font-medium text-ink">{data.interpretation}</span>
      </span>
      {query ? (
        <Link href={exploreHref(query)} className="inline-flex items-center gap-1 font-medium text-primary hover:underline" data-testid="ask-open-query">
          Open in Explore <ArrowUpRight aria-hidden="true" className="h-3.5 w-3.5" />
        </Link>
      ) : null}
    </p>
  );
}

/** The figures behind the sentence: the suggested chart, a table, or the totals of one row. */
function Figures({ data }: { data: AskResponse }) {
  const call = data.chart ? data.queries[data.chart.query_index] : data.queries[data.queries.length - 1];
  const response = call ? responseOf(call) : null;
  if (!call || !response || !response.rows.length) return null;
  const grain = queryOf(call)?.time?.grain ?? null;
  if (data.chart?.type === "table") {
    return <ResultTable response={response} grain={grain} caption={data.interpretation ?? "The answer's rows"} />;
  }
  if (data.chart) return <ResultChart response={response} grain={grain} x={data.chart.x} y={data.chart.y} height={220} />;
  const oneRow = response.rows.length === 1 && !response.columns.some((c) => c.kind !== "measure");
  return oneRow ? <ResultChart response={response} grain={grain} /> : null;
}

/** The queries a model ran, each with a way into Explore (the parser's one query is under "Understood as"). */
function ModelQueries({ data }: { data: AskResponse }) {
  if (!data.queries.length) return null;
  return (
    <div>
      <h3 className="mb-2 text-label font-semibold uppercase tracking-wide text-muted">
        {data.queries.length === 1 ? "The query behind it" : `The ${data.queries.length} queries behind it`}
      </h3>
      <ol className="flex flex-col gap-2">
        {data.queries.map((call, i) => {
          const query = queryOf(call);
          const result = responseOf(call);
          return (
            <li key={i} className="flex flex-wrap items-center justify-between gap-2 rounded-control border border-border px-3 py-2">
              <code className="min-w-0 flex-1 break-all font-mono text-[12px] text-muted">
                {call.tool}({JSON.stringify(query ?? call.arguments)})
              </code>
              <span className="flex items-center gap-2 text-label text-muted">
                {result ? `${result.total_rows ?? result.rows.length} rows` : null}
                {query ? (
                  <Link href={exploreHref(query)} className="inline-flex items-center gap-1 font-medium text-primary hover:underline" data-testid="ask-open-query">
                    Open in Explore <ArrowUpRight aria-hidden="true" className="h-3.5 w-3.5" />
                  </Link>
                ) : null}
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** An answer from Ask: the sentence with its figures, what was understood, and the chart or table. When
 * the question could not be answered: why, and the closest questions that can be. */
export function AskAnswer({ data, onAsk }: { data: AskResponse; onAsk: (question: string) => void }) {
  const declined = data.engine === "parser" && (!data.queries.length || refusedBy(data.queries[0]));
  if (declined) {
    return (
      <div className="flex flex-col gap-4" data-testid="ask-declined">
        <p className="flex items-start gap-2 rounded-control border border-border bg-subtle px-4 py-3 text-ink" role="status">
          <Info aria-hidden="true" className="mt-0.5 h-4 w-4 shrink-0 text-muted" />
          <span data-testid="ask-answer-text">{data.answer}</span>
        </p>
        <Understood data={data} />
        <AskSuggestions questions={data.suggestions ?? []} onAsk={onAsk} />
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-4" data-testid="ask-answer">
      <p className="whitespace-pre-line text-[15px] leading-6 text-ink" data-testid="ask-answer-text">
        {data.answer || "The model gave no answer in words."}
      </p>
      <Understood data={data} />
      <Figures data={data} />
      {data.engine === "llm" ? <ModelQueries data={data} /> : null}
    </div>
  );
}
