"""The catalog as the parser reads it: what each measure and dimension is called, and what may go with what.

Built from the semantic catalog (labels, synonyms, member names, grouping rules) for one scope: members the
scope may not use are left out, and personal members become `sensitive` phrases, so a question about
them is declined instead of answered with something else. Dimension values come from `values.py` and
are added per data version (`with_values`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from semantic import (
    Catalog,
    Role,
    Scope,
    band_of,
    counted_rows,
    dimension_role,
    hidden_members,
    names_things,
    unfilterable_by,
)
from service.ask.text import Speller, stem
from service.ask.words import FILLER, correctable_words, grammar_words

Kind = Literal["measure", "dimension", "number", "value", "sensitive"]


@dataclass(frozen=True)
class Sense:
    """One meaning of a phrase: a measure, a dimension to group by, a number dimension (for averages and
    comparisons), a dimension value, or a personal member (declined)."""

    kind: Kind
    target: str
    value: str | None = None
    weak: bool = False  # a value that is also an everyday word ("other", "check"): needs a hint beside it


@dataclass(frozen=True)
class MeasureInfo:
    name: str
    label: str
    unit: str
    entity: str | None  # its base measure's entity (None for a derived measure)
    groupable: frozenset[str]  # dimensions it may be grouped by (overlapping groups included)
    split: str | None  # the measure to use below its grain (revenue -> line_revenue)
    unfilterable: frozenset[str]  # dimensions it may not be filtered by (use `split`)
    count_of: tuple[str, str | None] | None  # (entity, boolean flag dimension): a count of an entity's rows
    finer: tuple[str, ...] = ()  # counts of the rows of an entity joined to it ("bookings of a service")

    @property
    def ratio(self) -> bool:
        return self.unit == "ratio"


@dataclass(frozen=True)
class DimensionInfo:
    name: str
    label: str
    type: str
    entity: str
    role: Role
    band: str | None  # the banded dimension to group by instead (patient.age -> patient.age_band)
    unit: str | None


Phrase = tuple[str, ...]


@dataclass
class Lexicon:
    measures: dict[str, MeasureInfo]
    dimensions: dict[str, DimensionInfo]
    phrases: dict[Phrase, tuple[Sense, ...]]
    aliases: dict[str, str]  # a stem read as another ("client" -> "patient")
    words: frozenset[str]  # words the speller corrects to
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dimension -> its known values
    max_phrase: int = 1
    joins: frozenset[tuple[str, str]] = frozenset()  # (child, parent) entities joined directly
    times: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # time dimension -> entity, words
    time_labels: dict[str, str] = field(default_factory=dict)  # time dimension -> label
    _speller: Speller | None = field(default=None, init=False, repr=False, compare=False)
    _bags: list[tuple[frozenset[str], tuple[Sense, ...]]] | None = field(default=None, init=False, repr=False,
                                                                        compare=False)

    def speller(self) -> Speller:
        """Corrects towards the lexicon's words and the parser's grammar (built once per lexicon)."""
        if self._speller is None:
            self._speller = Speller(self.words | correctable_words(), known=grammar_words())
        return self._speller

    def bags(self) -> list[tuple[frozenset[str], tuple[Sense, ...]]]:
        """Measure phrases of two or more meaningful words, as sets: matched in any order."""
        if self._bags is None:
            bags: dict[frozenset[str], list[Sense]] = {}
            for phrase, senses in self.phrases.items():
                words = frozenset(w for w in phrase if w not in FILLER or w in _BAG_KEEPS)
                measures = [s for s in senses if s.kind == "measure"]
                if len(words) >= 2 and measures:
                    bucket = bags.setdefault(words, [])
                    bucket.extend(s for s in measures if s not in bucket)
            self._bags = [(words, tuple(senses)) for words, senses in sorted(bags.items(), key=lambda b: sorted(b[0]))]
        return self._bags

    def value_words(self) -> frozenset[str]:
        """The words of the known dimension values ("instagram", "botox", "injection")."""
        return frozenset(w for values in self.values.values() for v in values for w in words_of(v) if w.isalpha())

    def normal(self, word_stem: str) -> str:
        return self.aliases.get(word_stem, word_stem)

    def senses(self, phrase: Phrase) -> tuple[Sense, ...]:
        return self.phrases.get(phrase, ())


_BAG_KEEPS = frozenset({stem("per")})  # "revenue per patient" is not "revenue from patients"
_SPLIT = re.compile(r"[a-z0-9+]+(?:-[0-9]+)?")


def words_of(text: str) -> list[str]:
    """Lower-case words of a label, synonym or value ("Booking lead time (days)" -> booking, lead, time, days)."""
    return _SPLIT.findall(text.lower().replace("_", " ").replace("'s", ""))


def phrase_of(text: str, aliases: Mapping[str, str] | None = None) -> Phrase:
    out = []
    for word in words_of(text):
        s = stem(word)
        out.append(aliases.get(s, s) if aliases else s)
    return tuple(out)


def _identifier(dimension: object) -> bool:
    """Marked as naming one record (the privacy markings), or an id by name."""
    name = str(getattr(dimension, "name", ""))
    return bool(getattr(dimension, "identifier", False)) or name.endswith(".id") or name.endswith("_id")


def _measure_info(catalog: Catalog, name: str, hidden: set[str]) -> MeasureInfo:
    measure = catalog.measure(name)
    assert measure is not None
    groupable = {*catalog.groupable_dimensions(name), *catalog.groupable_dimensions(name, overlapping=True)}
    unfilterable = unfilterable_by(catalog, name)
    base = catalog.measures.get(name)
    finer: list[str] = []
    if base is not None and counted_rows(catalog, base) == (base.entity, None):
        for other in catalog.measures.values():
            direct = any(j.child == other.entity and j.parent == base.entity for j in catalog.joins)
            if (other.name not in hidden and direct and counted_rows(catalog, other) == (other.entity, None)):
                finer.append(other.name)
    return MeasureInfo(
        name=name, label=measure.label, unit=measure.unit or "", entity=base.entity if base else None,
        groupable=frozenset(groupable - hidden),
        split=base.split_measure if base and base.split_measure not in hidden else None,
        unfilterable=frozenset(unfilterable),
        count_of=counted_rows(catalog, base) if base else None, finer=tuple(finer),
    )


def _dimension_phrases(catalog: Catalog, name: str) -> list[str]:
    dimension = catalog.dimensions[name]
    entity = catalog.entities[dimension.entity]
    texts = [dimension.label, *dimension.synonyms]
    label = dimension.label.lower()
    head = entity.label.lower()
    if label.startswith(head + " ") and len(label) > len(head) + 1:
        texts.append(label[len(head) + 1:])  # "Appointment status" -> "status" (ambiguous ones are resolved later)
    if dimension.short != "name":
        texts.append(dimension.short)
    else:
        texts.append(f"{head} name")
    texts.append(re.sub(r"\s*\(.*?\)", "", dimension.label))
    return texts


def _add(phrases: dict[Phrase, list[Sense]], phrase: Phrase, sense: Sense) -> None:
    if not phrase or (len(phrase) == 1 and phrase[0] in FILLER):
        return
    bucket = phrases.setdefault(phrase, [])
    if sense not in bucket:
        bucket.append(sense)


def _aliases(catalog: Catalog, hidden: set[str]) -> dict[str, str]:
    """One-word synonyms of a one-word measure label read as that label ("clients" as "patients")."""
    out: dict[str, str] = {}
    for measure in catalog.all_measures():
        if measure.name in hidden:
            continue
        label = words_of(measure.label)
        if len(label) != 1:
            continue
        for synonym in measure.synonyms:
            words = words_of(synonym)
            if len(words) == 1 and stem(words[0]) != stem(label[0]):
                out[stem(words[0])] = stem(label[0])
    return out


def build_lexicon(catalog: Catalog, scope: Scope) -> Lexicon:
    """The lexicon of `catalog` for a caller in `scope` (no values yet)."""
    hidden = hidden_members(catalog, scope)
    aliases = _aliases(catalog, hidden)
    phrases: dict[Phrase, list[Sense]] = {}
    words: set[str] = set()
    measures: dict[str, MeasureInfo] = {}
    times: dict[str, tuple[str, frozenset[str]]] = {}
    time_labels: dict[str, str] = {}
    for measure in catalog.all_measures():
        if measure.name in hidden:
            continue
        measures[measure.name] = _measure_info(catalog, measure.name, hidden)
        for text in (measure.label, *measure.synonyms, measure.name.replace("_", " ")):
            words.update(words_of(text))
            _add(phrases, phrase_of(text, aliases), Sense("measure", measure.name))
    dimensions: dict[str, DimensionInfo] = {}
    for dimension in catalog.dimensions.values():
        name = dimension.name
        if dimension.pii or name in hidden:
            if not dimension.search:
                one_word = len(words_of(dimension.label)) == 1
                suffixed = [f"{dimension.label} number", f"{dimension.label} address"] if one_word else []
                for text in (dimension.label, *dimension.synonyms, *suffixed):
                    words.update(words_of(text))
                    _add(phrases, phrase_of(text, aliases), Sense("sensitive", name))
            continue
        if dimension.filter_only or _identifier(dimension):
            continue
        if dimension.kind == "time" and dimension.type == "time":
            times[name] = (dimension.entity, frozenset(phrase_of(dimension.label)))
            time_labels[name] = dimension.label
        role = dimension_role(catalog, name)
        if role is None:
            continue
        dimensions[name] = DimensionInfo(name, dimension.label, dimension.type, dimension.entity, role,
                                         band_of(catalog, name), dimension.unit)
        kind: Kind = "number" if role == "number" else "dimension"
        for text in _dimension_phrases(catalog, name):
            words.update(words_of(text))
            _add(phrases, phrase_of(text, aliases), Sense(kind, name))
    frozen = {phrase: tuple(senses) for phrase, senses in phrases.items()}
    return Lexicon(measures=measures, dimensions=dimensions, phrases=frozen, aliases=aliases,
                   words=frozenset(words), max_phrase=max((len(p) for p in frozen), default=1),
                   joins=frozenset((j.child, j.parent) for j in catalog.joins), times=times,
                   time_labels=time_labels)


_LEXICONS: dict[tuple[str, str, str], Lexicon] = {}


def cached_lexicon(catalog: Catalog, scope: Scope) -> Lexicon:
    """`build_lexicon`, once per catalog text and scope."""
    key = (catalog.file, catalog.fingerprint, scope)
    found = _LEXICONS.get(key)
    if found is None:
        if len(_LEXICONS) > 16:
            _LEXICONS.clear()
        found = _LEXICONS[key] = build_lexicon(catalog, scope)
    return found


def with_values(lexicon: Lexicon, values: Mapping[str, Iterable[str]]) -> Lexicon:
    """The lexicon plus the phrases of dimension values: each whole value ("botox injection") and each of its
    words that belongs to that value alone and means nothing else ("botox", "kim")."""
    phrases: dict[Phrase, list[Sense]] = {p: list(s) for p, s in lexicon.phrases.items()}
    words = set(lexicon.words)
    kept: dict[str, tuple[str, ...]] = {}
    owners: dict[str, set[tuple[str, str]]] = {}
    for dimension, raw in values.items():
        if dimension not in lexicon.dimensions:
            continue
        listed = tuple(sorted({str(v) for v in raw if v is not None and str(v).strip()}))
        kept[dimension] = listed
        for value in listed:
            phrase = phrase_of(value, lexicon.aliases)
            words.update(words_of(value))
            weak = len(phrase) == 1 and (phrase[0] in FILLER or phrase in lexicon.phrases)
            _add(phrases, phrase, Sense("value", dimension, value, weak=weak))
            if len(phrase) > 1:
                for word in set(phrase):
                    owners.setdefault(word, set()).add((dimension, value))
    for word, owned in owners.items():
        if len(owned) != 1 or len(word) < 3 or word in FILLER or word.isdigit() or (word,) in lexicon.phrases:
            continue
        dimension, value = next(iter(owned))
        if (word,) in phrases and any(s.kind != "value" or s.value != value for s in phrases[(word,)]):
            continue
        _add(phrases, (word,), Sense("value", dimension, value))
    frozen = {phrase: tuple(senses) for phrase, senses in phrases.items()}
    return Lexicon(measures=lexicon.measures, dimensions=lexicon.dimensions, phrases=frozen, aliases=lexicon.aliases,
                   words=frozenset(words), values=kept, max_phrase=max((len(p) for p in frozen), default=1),
                   joins=lexicon.joins, times=lexicon.times, time_labels=lexicon.time_labels)


def value_dimensions(catalog: Catalog) -> list[str]:
    """Dimensions whose values name things of the business (sources, services, providers, statuses, methods)."""
    return [d.name for d in catalog.dimensions.values() if names_things(d)]
