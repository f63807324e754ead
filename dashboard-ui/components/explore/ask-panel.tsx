"use client";

import { useMutation } from "@tanstack/react-query";
import { Loader2, MessageSquareText } from "lucide-react";
import { useState, type FormEvent } from "react";

import { CardError } from "@/components/analytics/card-states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ask } from "@/lib/analytics/ask";

import { AskAnswer } from "./ask-answer";

const EXAMPLES = [
  "Which acquisition source brought the most revenue in the last 90 days?",
  "How did visits this quarter compare with last quarter?",
  "Which provider has the highest revenue per booked hour?",
];

/** A question in words → `POST /api/ask`: a sentence with the figures, what it was understood as, the chart. */
export function AskPanel() {
  const [question, setQuestion] = useState("");
  const mutation = useMutation({ mutationFn: (q: string) => ask(q) });

  const askNow = (text: string) => {
    const q = text.trim();
    if (q) mutation.mutate(q);
  };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    askNow(question);
  };
  const askSuggestion = (text: string) => {
    setQuestion(text);
    askNow(text);
  };

  return (
    <Card className="flex flex-col gap-4 p-5 sm:p-6" data-testid="ask-panel" role="region" aria-labelledby="ask-title">
      <div>
        <h2 id="ask-title" className="flex items-center gap-2 text-base font-semibold text-ink">
          <MessageSquareText aria-hidden="true" className="h-4 w-4 text-primary" />
          Ask
        </h2>
        <p className="text-muted">A question in plain words. The answer says how it was understood and opens in Explore, so you can check and change it.</p>
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
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              submit();
            }
          }}
          placeholder="e.g. Revenue by service this year"
          className="w-full resize-y rounded-control border border-border bg-surface px-3 py-2 text-body text-ink shadow-soft placeholder:text-muted/80 focus-visible:border-primary"
          data-testid="ask-input"
        />
        <div className="flex flex-wrap items-center gap-2">
          <Button type="submit" disabled={!question.trim() || mutation.isPending} data-testid="ask-submit">
            {mutation.isPending ? <Loader2 aria-hidden="true" className="h-4 w-4 animate-spin" /> : null}
            {mutation.isPending ? "Working…" : "Ask"}
          </Button>
          {EXAMPLES.map((example) => (
            <button
              key={example}
              type="button"
              onClick={() => setQuestion(example)}
              className="rounded-full border border-border px-3 py-1 text-left text-label text-muted hover:bg-subtle hover:text-ink"
            >
              {example}
            </button>
          ))}
        </div>
      </form>
      <div aria-live="polite">
        {mutation.isPending ? <p className="text-muted">Working on it…</p> : null}
        {mutation.isError ? <CardError compact error={mutation.error} onRetry={() => submit()} /> : null}
        {mutation.data && !mutation.isPending ? <AskAnswer data={mutation.data} onAsk={askSuggestion} /> : null}
      </div>
    </Card>
  );
}
