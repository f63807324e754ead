"use client";

import { MessageCircleQuestion } from "lucide-react";

/** Questions Ask can answer, as chips: clicking one asks it. */
export function AskSuggestions({ questions, onAsk, title = "Questions I can answer" }: { questions: string[]; onAsk: (question: string) => void; title?: string }) {
  if (!questions.length) return null;
  return (
    <div data-testid="ask-suggestions">
      <h3 className="mb-2 text-label font-semibold uppercase tracking-wide text-muted">{title}</h3>
      <ul className="flex flex-wrap gap-2">
        {questions.map((question) => (
          <li key={question}>
            <button
              type="button"
              onClick={() => onAsk(question)}
              className="inline-flex items-center gap-1.5 rounded-full border border-border bg-surface px-3 py-1.5 text-left text-label text-ink shadow-soft hover:bg-subtle"
              data-testid="ask-suggestion"
            >
              <MessageCircleQuestion aria-hidden="true" className="h-3.5 w-3.5 shrink-0 text-primary" />
              {question}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
