"use client";

import { useMutation } from "@tanstack/react-query";
import { ArrowUpRight, Bot, Loader2, Settings2 } from "lucide-react";
import Link from "next/link";
import { useState, type FormEvent } from "react";

import { CardError } from "@/components/analytics/card-states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ask, queryOf, responseOf, type AskResponse } from "@/lib/analytics/ask";
import { exploreHref } from "@/lib/analytics/links";
import { ApiError } from "@/lib/api/client";

import { ResultChart } from "./result-chart";

const EXAMPLES = [
  "Which acquisition source brought the most revenue in the last 90 days?",
  "How did visits this quarter compare with last quarter?",
  "Which provider has the highest revenue per booked hour?",
];

function NotConfigured() {
  return (
    <div className="flex flex-col gap-2 rounded-control border border-border bg-subtle px-4 py-3" data-testid="ask-not-configured" role="status">
      <p className="flex items-center gap-2 font-semibold text-ink">
        <Settings2 aria-hidden="true" className="h-4 w-4 text-muted" />
        Ask needs a language model, and none is configured yet
      </p>
      <p className="text-muted">
        Everything else on this page works without one. To turn Ask on, whoever runs the server sets three environment
        variables for the API and restarts it:
      </p>
      <pre className="overflow-x-auto rounded-control border border-border bg-surface p-3 font-mono text-[12.5px] text-ink">
        {`LLM_BASE_URL=https://your-provider.example/v1   # an OpenAI-compatible endpoint
LLM_API_KEY=…
LLM_MODEL=…`}
      </pre>
      <p className="text-label text-muted">The model only calls the same query API as this page; every number it cites comes from the engine.</p>
    </div>
  );
}

function Answer({ data }: { data: AskResponse }) {
  const chartCall = data.chart ? data.queries[data.chart.query_index] : undefined;
  const chartResponse = chartCall ? responseOf(chartCall) : null;
  const chartQuery = chartCall ? queryOf(chartCall) : null;
  const y = data.chart ? (Array.isArray(data.chart.y) ? data.chart.y : [data.chart.y]) : undefined;
  return (
    <div className="flex flex-col gap-4" data-testid="ask-answer">
      <p className="whitespace-pre-line text-[15px] leading-6 text-ink">{data.answer || "The model gave no answer in words."}</p>
      {chartResponse && chartResponse.rows.length ? (
        <ResultChart response={chartResponse} grain={chartQuery?.time?.grain ?? null} x={data.chart?.x} y={y} height={220} />
      ) : null}
      {data.queries.length ? (
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
      ) : null}
    </div>
  );
}

/** A question in words → `POST /api/ask`: the answer, a chart and the queries it ran. */
export function AskPanel() {
  const [question, setQuestion] = useState("");
  const mutation = useMutation({ mutationFn: (q: string) => ask(q) });
  const notConfigured = mutation.error instanceof ApiError && mutation.error.code === "llm_not_configured";

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const q = question.trim();
    if (q) mutation.mutate(q);
  };

  return (
    <Card className="flex flex-col gap-4 p-5 sm:p-6" data-testid="ask-panel" role="region" aria-labelledby="ask-title">
      <div>
        <h2 id="ask-title" className="flex items-center gap-2 text-base font-semibold text-ink">
          <Bot aria-hidden="true" className="h-4 w-4 text-primary" />
          Ask
        </h2>
        <p className="text-muted">A question in plain words; the answer shows the queries it ran, so you can check and reuse them.</p>
      </div>
      <form onSubmit={submit} className="flex flex-col gap-2">
        <label htmlFor="ask-question" className="sr-only">
          Your question
        </label>
        <textarea
          id="ask-question"
          rows={2}
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) submit();
          }}
          placeholder="e.g. Which service grew most this quarter?"
          className="w-full resize-y rounded-control border border-border bg-surface px-3 py-2 text-body text-ink shadow-soft placeholder:text-muted/80 focus-visible:border-primary"
          data-testid="ask-input"
        />
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" disabled={!question.trim() || mutation.isPending} data-testid="ask-submit">
            {mutation.isPending ? <Loader2 aria-hidden="true" className="h-4 w-4 animate-spin" /> : null}
            {mutation.isPending ? "Thinking…" : "Ask"}
          </Button>
          {EXAMPLES.map((example) => (
            <button
              key={example}
              type="button"
              onClick={() => setQuestion(example)}
              className="rounded-full border border-border px-3 py-1 text-label text-muted hover:bg-subtle hover:text-ink"
            >
              {example}
            </button>
          ))}
        </div>
      </form>
      <div aria-live="polite">
        {mutation.isPending ? <p className="text-muted">Working on it: the model is querying the data. This can take a few seconds.</p> : null}
        {notConfigured ? <NotConfigured /> : mutation.isError ? <CardError compact error={mutation.error} onRetry={() => submit()} /> : null}
        {mutation.data ? <Answer data={mutation.data} /> : null}
      </div>
    </Card>
  );
}
