"use client";

import { Lightbulb } from "lucide-react";

import type { Row } from "@/lib/api/types";

import { patientName, text } from "./patient-row";

const words = (search: string) =>
  search
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[,;:!?"'()[\]{}]+|[,;:!?"'()[\]{}]+$/g, ""))
    .filter(Boolean);

/** Does the row hold every word of the search (name or email, or a phone's digits), as the engine's exact match
 * does? The engine also finds close spellings; a best row that is only close means nothing matched exactly. */
export function holdsEveryWord(row: Row, search: string): boolean {
  const haystack = `${text(row, "patient.name") ?? ""} ${text(row, "patient.email") ?? ""}`.toLowerCase();
  const digits = (text(row, "patient.phone") ?? "").replace(/\D/g, "");
  return words(search).every((word) => {
    if (haystack.includes(word)) return true;
    const wordDigits = word.replace(/\D/g, "");
    return wordDigits.length >= 3 && /^[\d()+\-.xX]+$/.test(word) && digits.includes(wordDigits);
  });
}

/** "No exact match. Did you mean Ebony Adams?": the closest spelling, one click to search for it. */
export function DidYouMean({ search, best, onPick }: { search: string; best: Row; onPick: (name: string) => void }) {
  const name = patientName(best);
  return (
    <p className="flex flex-wrap items-center gap-1.5 text-body text-muted" role="status" data-testid="did-you-mean">
      <Lightbulb aria-hidden="true" className="h-4 w-4 text-accent-ink" />
      No patient matches “{search}” exactly; closest spellings first.
      <span>
        Did you mean{" "}
        <button
          type="button"
          className="font-semibold text-primary underline-offset-2 hover:underline"
          onClick={() => onPick(name)}
        >
          {name}
        </button>
        ?
      </span>
    </p>
  );
}
