"""The parser's own grammar words (as stems): what may be left over without meaning, and the cues.

Everything specific to the spa (measures, dimensions, values and their synonyms) comes from the catalog
and the data; these lists hold only ordinary English.
"""

from __future__ import annotations

from service.ask.text import NUMBER_WORDS, stem, stems

_SURFACE: set[str] = set(NUMBER_WORDS)


def word_stems(*words: str) -> frozenset[str]:
    """Stems of `words`; the words themselves are kept for the speller (grammar_words)."""
    _SURFACE.update(words)
    return stems(*words)


def grammar_words() -> frozenset[str]:
    """Every ordinary English word the parser knows, as written."""
    from service.ask import timewords

    return frozenset(_SURFACE | _FILLER_SURFACE | set(timewords.MONTHS) | timewords.SURFACE)


def correctable_words() -> frozenset[str]:
    """The grammar words a misspelling may be corrected to: time words and cues, not filler (a misspelt
    "going" must not become "doing")."""
    from service.ask import timewords

    return frozenset((_SURFACE - _FILLER_SURFACE) | set(timewords.MONTHS) | timewords.SURFACE)

# Words that carry no meaning of their own in an analytics question; left over, they do no harm.
_FILLER_WORDS = (
    "a", "an", "the", "of", "in", "on", "at", "for", "to", "from", "with", "by", "per", "and", "or", "as", "about",
    "into", "than", "that", "which", "what", "whats", "who", "whom", "whose", "how", "where", "when", "why", "is",
    "are", "was", "were", "be", "been", "being", "do", "does", "did", "done", "have", "has", "had", "we", "our",
    "us", "ours", "i", "me", "my", "you", "your", "they", "them", "their", "it", "its", "there", "here", "this",
    "these", "those", "please", "can", "could", "would", "will", "shall", "should", "may", "might", "show", "tell",
    "give", "list", "get", "got", "see", "let", "know", "want", "need", "like", "much", "many", "number", "total",
    "overall", "amount", "count", "figure", "figures", "value", "all", "any", "some", "so", "far", "up", "out",
    "just", "only", "also", "still", "now", "currently", "ever", "did", "been", "spa", "clinic", "practice",
    "business", "we've", "weve", "its", "it's", "whole", "entire", "exactly", "roughly", "approximately",
    "around", "record", "records", "data", "report", "breakdown", "split", "mix", "across", "between", "each",
    "every", "separately", "respectively", "one", "ones", "kind", "kinds", "sort", "type", "types", "were",
    "had", "did", "make", "made", "bring", "brought", "generate", "generated", "earn", "earned", "take", "took",
    "come", "came", "in", "look", "looking", "doing", "done", "happen", "happened", "did", "versus", "vs",
    "compare", "compared", "level", "levels", "well", "good", "great", "really", "actually", "typically",
    "usually", "normally", "average", "on", "find", "found", "still", "yet", "already", "far", "date", "stats",
    "statistics", "metric", "metrics", "numbers", "info", "information", "member", "members", "team",
    "start", "started", "begin", "happened", "often", "times", "go", "going", "break", "down", "size", "process",
    "processed", "handle", "handled", "recorded",
)
_FILLER_SURFACE: set[str] = set(_FILLER_WORDS)
FILLER = word_stems(*_FILLER_WORDS)

# Cues
HOW_MANY = word_stems("many", "number", "count")
HOW_MUCH = word_stems("much",)
MOST = word_stems("most", "highest", "best", "biggest", "top", "largest", "greatest", "busiest", "leading", "maximum",
             "max", "more", "popular", "strongest")
LEAST = word_stems("least", "lowest", "worst", "fewest", "smallest", "bottom", "minimum", "min", "quietest", "slowest",
              "weakest")
WHICH = word_stems("which", "what", "who")
GROUP_CUES = word_stems("by", "per", "each", "every", "across", "breakdown", "split", "mix")
AND = word_stems("and", "or", "plus", "with", "vs", "versus")
SHARE = word_stems("share", "percent", "percentage", "proportion")
AVERAGE = word_stems("average", "avg", "mean")
MEDIAN = word_stems("median", "typical", "typically")
# Verbs that say a question is about money taken in.
MONEY = word_stems("revenue", "earn", "earned", "earns", "make", "made", "money", "bring", "brought", "generate",
                   "generated", "spend", "spent", "spends", "sell", "selling", "sold", "take", "took", "gross", "worth",
                   "collect", "collected")
# Words asking for a list of records rather than a figure.
LISTING = word_stems("list", "all", "names")
# Verbs that say "patients" means those with a visit.
VISITED = word_stems("visit", "visited", "came", "come", "seen", "see", "saw", "treated", "treat", "served")
# Verbs that say "patients" means new ones.
GAINED = word_stems("get", "got", "gain", "gained", "acquire", "acquired", "win", "won", "attract", "attracted",
               "signed", "join", "joined")
BUSY = word_stems("busy", "busiest", "busier")
POPULAR = word_stems("popular", "booked", "book", "often", "frequently")
NEGATION = word_stems("not", "no", "without", "excluding", "exclude", "except", "never", "non")

# Patterns: comparisons ("more than 3 visits"), negations, ranks, and the words around them.
# words next to an everyday-word value that say it is one ("by check", "from phone")
HINTS = word_stems("from", "by", "via", "through", "with", "using", "on", "paid", "pay", "gender", "method", "status",
              "source", "channel")
MORE = dict.fromkeys(word_stems("more", "over", "above", "greater", "exceeding", "older"), "gt")
LESS = dict.fromkeys(word_stems("less", "fewer", "under", "below", "younger"), "lt")
AT_LEAST = word_stems("least")
AT_MOST = word_stems("most")
THAN = word_stems("than")
TIMES = word_stems("time", "times")
YEARS = word_stems("year", "years", "old")
AGE_WORDS = word_stems("age", "aged", "old", "older", "younger")
NEVER = word_stems("never", "no", "zero", "without", "not")
VISIT = word_stems("visit")
SPEND = word_stems("spend", "spent", "spending")
TOP = word_stems("top")
FIRST = word_stems("first")
ARTICLES = word_stems("a", "an", "any", "the", "single")
INDEFINITE = word_stems("a", "an", "one", "single")
PER = word_stems("per")
UNIT_OF = {stem("hour"): "hours", stem("hours"): "hours", stem("day"): "days", stem("days"): "days"}
BOTTOM = word_stems("bottom")
COUNTING = word_stems("counting", "including", "any", "the", "all", "include", "count")
WHO = word_stems("who", "whom")
HOW = word_stems("how")
OLD = word_stems("old")
WHERE = word_stems("where")
VERSUS = word_stems("vs", "versus")
TARGET = word_stems("for", "on", "at", "in")  # "booked for next week": the appointments' own dates
BY = word_stems("by")
