"""Making one contract query of what the question names, as the engine accepts it; or `Unsure`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.ask.lexicon import Lexicon, Sense
from service.ask.reading import (
    AHEAD_RANGES,
    NEEDS_AGGREGATE,
    NEEDS_AHEAD,
    NEEDS_CALCULATIONS,
    NEEDS_TOP,
    Choice,
    Found,
    Query,
    Tokens,
    Unsure,
    is_weak,
    measure_named,
)
from service.ask.text import stem
from service.ask.timewords import TimeFind
from service.ask.words import (
    AND,
    BY,
    FILLER,
    INDEFINITE,
    PER,
    TARGET,
    VERSUS,
    word_stems,
)


def _choose_measures(toks: Tokens, found: Found) -> list[str]:
    """The measures named; a weak noun ("patients") is the measure only when nothing else is."""
    lexicon = toks.lexicon
    strong = [name for name, _ in sorted(found.strong, key=lambda m: min(m[1]))]
    weak = [name for name, _, _ in found.weak]
    # a weak noun joined to a strong measure by "and" is a measure of its own ("revenue and visits")
    for name, at, _ in found.weak:
        near = [toks.norm[j] for j in (at - 1, at + 1) if 0 <= j < len(toks)]
        if strong and any(w in AND - word_stems("with") for w in near) and name not in strong:
            strong.append(name)
    # "revenue per visit": a ratio the catalog does not have, not revenue about visits
    if strong and any(at > 0 and toks.norm[at - 1] in PER for _, at, _ in found.weak):
        raise Unsure("a ratio per a count the catalog does not have", "no_measure")
    # "revenue by number of visits": a weak noun after "by" is a grouping, by its bands
    for name, at, senses in found.weak:
        before = [j for j in range(at) if toks.norm[j] not in FILLER or toks.norm[j] in BY]
        if strong and before and toks.norm[before[-1]] in BY:
            bands = [lexicon.dimensions[s.target].band for s in senses
                     if s.kind == "number" and s.target in lexicon.dimensions]
            if not bands or bands[0] is None:
                raise Unsure(f"grouped by {name}", "rank_what")
            found.dims.append(((bands[0],), at))
    # the other readings of weak nouns: "cancelled" next to a strong measure is a status
    if strong:
        for name, at, senses in found.weak:
            values = [s for s in senses if s.kind == "value" and not s.weak]
            if name not in strong and values:
                found.values.append((values[0].target, values[0].value or "", at))
        return list(dict.fromkeys(strong))
    if not weak:
        return []
    kinds = list(dict.fromkeys(weak))
    if "listing" in found.cues and "how_many" not in found.cues:
        raise Unsure("a list of records: Ask answers with figures", "listing")
    if ("money" in found.cues and "how_many" not in found.cues) or found.aggregate:
        return []  # "how much do patients spend": money, about patients (_infer_measure)
    patient = measure_named(lexicon, "patient")
    if patient in kinds and "visited" in found.cues:
        active = measure_named(lexicon, "active patient")
        if active:
            return [active]
    if patient in kinds and "gained" in found.cues:
        new = measure_named(lexicon, "new patient")
        if new:
            return [new]
    if len(kinds) == 1:
        return kinds
    raise Unsure(f"more than one measure: {', '.join(kinds)}", "ambiguous")


def _infer_measure(toks: Tokens, found: Found) -> list[str]:
    """No measure named: one implied by the question's verbs ("how much did Botox bring in", "busiest"), or
    an average of money per patient or per visit ("how much do patients spend on average")."""
    lexicon = toks.lexicon
    nouns = {name for name, _, _ in found.weak}
    if "money" in found.cues or ("how_much" in found.cues and not found.numbers):
        if found.aggregate:
            per = {measure_named(lexicon, "patient"): "revenue per patient",
                   measure_named(lexicon, "visits"): "average ticket",
                   measure_named(lexicon, "payments"): "average ticket"}
            wanted = {per[n] for n in nouns if n in per}
            if len(wanted) != 1:
                raise Unsure("an average of money per what", "average_of_what")
            found.aggregate = None
            name = measure_named(lexicon, wanted.pop())
        else:
            name = measure_named(lexicon, "revenue")
        return [name] if name else []
    if found.aggregate:
        raise Unsure("an average of what", "average_of_what")
    if "busy" in found.cues:
        name = measure_named(lexicon, "visits")
        return [name] if name else []
    if "popular" in found.cues:
        name = measure_named(lexicon, "appointments")
        return [name] if name else []
    return []


def _dimension(toks: Tokens, found: Found, measure_entity: str | None) -> list[str]:
    """The dimensions to group by; an ambiguous word is settled by the measure's entity."""
    lexicon = toks.lexicon
    out: list[str] = []
    for names, at in sorted(found.dims, key=lambda d: d[1]):
        choice = list(names)
        if at in toks.forced:
            choice = [toks.forced[at].target]
        if len(choice) > 1:
            same = [n for n in choice if lexicon.dimensions[n].entity == measure_entity]
            if len(same) != 1:
                found.choices.append(Choice(at, tuple(Sense("dimension", n) for n in choice)))
                raise Unsure(f"ambiguous dimension: {', '.join(choice)}", "ambiguous")
            choice = same
        if choice[0] not in out:
            out.append(choice[0])
    return out


def _time_spec(time: TimeFind) -> dict[str, Any] | None:
    spec: dict[str, Any] = {}
    if time.grain:
        spec["grain"] = time.grain
    if time.range is not None:
        spec["range"] = time.range
    if time.compare:
        spec["compare"] = time.compare
    return spec or None


def needs(query: Query) -> tuple[str, ...]:
    needs = []
    if any("(" in m for m in query.get("measures", [])):
        needs.append(NEEDS_AGGREGATE)
    if query.get("calculations"):
        needs.append(NEEDS_CALCULATIONS)
    if query.get("top"):
        needs.append(NEEDS_TOP)
    time = query.get("time") or {}
    if isinstance(time.get("range"), str) and time["range"] in AHEAD_RANGES:
        needs.append(NEEDS_AHEAD)
    return tuple(needs)


def _adjust(lexicon: Lexicon, measures: list[str], group: list[str], filters: list[dict[str, Any]],
            bookings: bool = False) -> list[str]:
    """Measures the engine can split and filter as asked: revenue by service is line_revenue, visits by
    provider a distinct count of visits, bookings by service the service lines booked."""
    out = []
    for name in measures:
        info = lexicon.measures.get(name)
        if info is None:  # an ad hoc aggregate
            out.append(name)
            continue
        fields = [f["field"] for f in filters]
        bad_group = [d for d in group if d not in info.groupable]
        bad_filter = [f for f in fields if f in info.unfilterable]
        if not bad_group and not bad_filter:
            out.append(name)
            continue
        if info.split is not None:
            split = lexicon.measures[info.split]
            if all(d in split.groupable for d in group) and not [f for f in fields if f in split.unfilterable]:
                out.append(split.name)
                continue
        replaced = False
        for finer_name in info.finer if bookings else ():  # "services booked": the lines booked
            finer = lexicon.measures[finer_name]
            entities = {lexicon.dimensions[d].entity for d in bad_group if d in lexicon.dimensions}
            if not bad_filter and all(d in finer.groupable for d in group) and finer.entity and \
                    all((finer.entity, e) in lexicon.joins for e in entities):
                out.append(finer_name)
                replaced = True
                break
        if replaced:
            continue
        if info.count_of is not None and not bad_filter:  # each counted row once per group (issue 18)
            entity, flag = info.count_of
            out.append(f"count_distinct({entity}.id)")
            if flag is not None:
                filters.append({"field": flag, "op": "equals", "value": True})
            continue
        raise Unsure(f"{name} cannot be split by {', '.join(bad_group + bad_filter)}", "cannot_split")
    return out


def assemble(toks: Tokens, found: Found, time: TimeFind) -> Query:
    lexicon = toks.lexicon
    if found.sensitive:
        raise Unsure("personal data", "personal")
    if time.conflict:
        raise Unsure("two different time ranges", "ambiguous")
    if time.unresolved_compare:
        raise Unsure("a comparison without a period to compare", "compare_period")
    if found.choices:
        raise Unsure("words with more than one meaning", "ambiguous")
    measures = _choose_measures(toks, found)
    # number dimensions: averaged ("average age"), else grouped by their bands ("by age")
    aggregated: list[str] = []
    for names, _ in found.numbers:
        if len(names) != 1:
            raise Unsure(f"ambiguous number: {', '.join(names)}", "ambiguous")
        name = names[0]
        if found.aggregate:
            aggregated.append(f"{found.aggregate}({name})")
        elif lexicon.dimensions[name].band:
            found.dims.append(((lexicon.dimensions[name].band or name,), 0))
        else:
            raise Unsure(f"{name} is a number per record: ask for its average, or filter on it", "per_record_number")
    if aggregated:
        measures = [*aggregated, *[m for m in measures if not is_weak(lexicon, m)]]
        found.aggregate = None
    if not measures:
        measures = _infer_measure(toks, found)
    if not measures:
        raise Unsure("no measure", "no_measure")
    if found.aggregate and any(lexicon.measures[m].entity is not None for m in measures if m in lexicon.measures):
        raise Unsure("an average of what", "average_of_what")  # "average revenue": per month, per patient, per visit?
    if len(measures) > 1 and not _joined(toks, found):
        raise Unsure(f"more than one measure: {', '.join(measures)}", "ambiguous")
    measures = _patients_in_a_period(toks, found, time, measures)
    first = lexicon.measures.get(measures[0])
    _drop_population_nouns(lexicon, toks, found, measures)
    # "revenue comes from botox", "comes from each gender": "comes from" only joins the measure to what follows
    after = [(dim, v_at) for dim, _, v_at in found.values] + [(n, d_at) for names, d_at in found.dims for n in names]
    found.dims = [(names, at) for names, at in found.dims if not (
        at in found.connectors and any(0 < later - at <= 3 and dim not in names for dim, later in after))]
    group = _dimension(toks, found, first.entity if first else None)
    filters = list(found.filters)
    # values: one -> equals; several of one dimension -> in, and grouped by it (all of them: just grouped)
    by_dim: dict[str, list[str]] = {}
    for dim, value, _ in found.values:
        by_dim.setdefault(dim, [])
        if value not in by_dim[dim]:
            by_dim[dim].append(value)
    if found.share and not group and len(by_dim) == 1 and len(next(iter(by_dim.values()))) == 1:
        # "what share of revenue comes from botox": botox's row among every service's
        group.append(next(iter(by_dim)))
        by_dim = {}
    _check_versus(toks, found)
    for item in found.filters:  # "not counting cancellations" filters, it does not group
        if item["field"] in group and item["op"] in ("equals", "not_equals"):
            group.remove(item["field"])
    for dim, values in by_dim.items():
        if len(values) == 1:
            filters.append({"field": dim, "op": "equals", "value": values[0]})
            if dim in group:
                group.remove(dim)
            continue
        known = lexicon.values.get(dim, ())
        if not (known and set(values) >= set(known)):
            filters.append({"field": dim, "op": "in", "values": sorted(values)})
        if dim not in group:
            group.append(dim)
    if found.rank_grain and time.grain in (None, found.rank_grain) and not group:
        time.grain = found.rank_grain
        found.direction = found.direction or "desc"
    elif found.rank_grain:
        raise Unsure("which period, by what", "no_measure")
    if (found.direction or found.top) and not group and not time.grain:
        raise Unsure("most or least of what: no dimension to rank", "rank_what")
    measures = _adjust(lexicon, measures, group, filters, bookings="popular" in found.cues or any(
        toks.tokens[at].text.startswith("book") for _, at, _ in found.weak) or any(
        toks.tokens[j].text.startswith("book") for _, span in found.strong for j in span))
    query: Query = {"measures": measures}
    if group:
        query["dimensions"] = group
    if time.upcoming:
        upcoming = measure_named(lexicon, "upcoming appointments")
        appointments = measure_named(lexicon, "appointments")
        if upcoming and measures in ([appointments], [upcoming]):
            query["measures"] = measures = [upcoming]
        else:
            raise Unsure("upcoming, of what", "no_measure")
    if time.ahead:
        measures = query["measures"] = _ahead(lexicon, measures, group, filters)
    elif time.guessed_year and _looks_ahead(lexicon, measures):
        raise Unsure("a month that may be last year's or the coming one", "ambiguous")
    if time.growth and not time.grain and not time.compare and not (
            isinstance(time.range, list) and _months(time.range) <= 1):
        time.grain = "month"  # "is revenue growing", "did revenue grow from September to October"
    spec = _time_spec(time)
    booked = _booked_time(toks, time, measures)
    if booked and spec and "range" in spec:
        spec = {"dimension": booked, **spec}  # "appointments booked last week": when they were booked
    if spec:
        query["time"] = spec
    if filters:
        query["filters"] = filters
    share_measure = measures[0]
    info = lexicon.measures.get(share_measure)
    if found.share and not (info is not None and info.ratio):
        if not group:
            raise Unsure("share of what: no dimension", "rank_what")
        calc: dict[str, Any] = {"name": "share", "op": "share_of_total", "of": share_measure}
        if time.grain:
            calc["within"] = ["time"]
        query["calculations"] = [calc]
    _order(lexicon, query, found, group, time)
    return query


MEASURE_CHOICE = -1  # the position of a choice between measures (Tokens.forced)


def _patients_in_a_period(toks: Tokens, found: Found, time: TimeFind, measures: list[str]) -> list[str]:
    """"How many patients came from Google last month": patients counted in a period are new ones (first visit
    in it) or those with a visit in it, not records created in it (patient_count's own time). Both are
    offered as readings (parser.parse) unless one was chosen."""
    lexicon = toks.lexicon
    chosen = toks.forced.get(MEASURE_CHOICE)
    if chosen is not None:
        return [chosen.target]
    patients = measure_named(lexicon, "patients")
    if measures != [patients] or time.range is None:
        return measures
    options = [m for m in (measure_named(lexicon, "new patients"), measure_named(lexicon, "active patients")) if m]
    found.choices.append(Choice(MEASURE_CHOICE, tuple(Sense("measure", m) for m in options)))
    raise Unsure("patients in a period: new ones, or those with a visit", "ambiguous")


def _looks_ahead(lexicon: Lexicon, measures: list[str]) -> bool:
    """Measures that count bookings, which lie ahead of as_of as well as behind it."""
    try:
        _ahead(lexicon, measures, [], [])
    except Unsure:
        return False
    return True


def _ahead(lexicon: Lexicon, measures: list[str], group: list[str], filters: list[dict[str, Any]]) -> list[str]:
    """Measures for a range after as_of: bookings only (appointments there are upcoming ones); money and
    visits lie in the past, so "how much will we make next month" is a forecast the parser declines."""
    appointments = measure_named(lexicon, "appointments")
    upcoming = measure_named(lexicon, "upcoming appointments")
    entity = lexicon.measures[appointments].entity if appointments in lexicon.measures else None
    own = [f for f in [*group, *(f["field"] for f in filters)]
           if f in lexicon.dimensions and lexicon.dimensions[f].entity == entity]
    out = []
    for name in measures:
        info = lexicon.measures.get(name)
        if name == appointments and upcoming and not own:
            out.append(upcoming)
        elif info is not None and info.unit in ("count", "hours") and info.entity is not None \
                and (info.count_of is None or info.count_of[1] is None or name == upcoming):
            out.append(name)
        else:
            raise Unsure(f"{name} after as_of: a forecast", "forecast")
    return out




def _booked_time(toks: Tokens, time: TimeFind, measures: list[str]) -> str | None:
    """The time dimension meaning "when booked" when a range follows the verb directly ("booked last week"),
    among the measure's entity's times whose label says so (appointment.created_at, "Booked at")."""
    lexicon = toks.lexicon
    entities = {lexicon.measures[m].entity for m in measures if m in lexicon.measures}
    if time.ahead or len(entities) != 1:
        return None
    for j, token in enumerate(toks.tokens[:-1]):
        if token.text == "booked" and j + 1 in time.used and toks.tokens[j + 1].stem not in TARGET:
            named = [name for name, (entity, words) in lexicon.times.items()
                     if entity in entities and stem("book") in words]
            return named[0] if len(named) == 1 else None
    return None


def _check_versus(toks: Tokens, found: Found) -> None:
    """"google vs instagram" compares two values of one dimension; "paid vs unpaid visits" compares a value
    with a measure, which one query cannot answer."""
    at_value = {at: dim for dim, _, at in found.values}
    for i, word in enumerate(toks.norm):
        if word not in VERSUS:
            continue
        before = [j for j in range(i) if toks.norm[j] not in FILLER][-1:]
        after = [j for j in range(i + 1, len(toks)) if toks.norm[j] not in FILLER][:1]
        sides = [at_value.get(j) for j in before + after]
        if any(side is not None for side in sides) and (len(sides) < 2 or sides[0] != sides[1]):
            raise Unsure("a value compared with something else", "ambiguous")


def _drop_population_nouns(lexicon: Lexicon, toks: Tokens, found: Found, measures: list[str]) -> None:
    """"the average price of a service": "a service" is what is averaged over, not a grouping."""
    entities = {lexicon.measures[m].entity for m in measures if m in lexicon.measures}
    entities |= {lexicon.dimensions[m[m.index("(") + 1:-1]].entity for m in measures
                 if "(" in m and m[m.index("(") + 1:-1] in lexicon.dimensions}
    kept = []
    for names, at in found.dims:
        if at > 0 and toks.norm[at - 1] in INDEFINITE:
            if any(lexicon.dimensions[n].entity in entities for n in names):
                continue
            raise Unsure("a single one of a dimension", "rank_what")
        kept.append((names, at))
    found.dims = kept


def _months(span: list[str]) -> int:
    start, end = (dt.date.fromisoformat(d) for d in span)
    return (end.year - start.year) * 12 + end.month - start.month


def _joined(toks: Tokens, found: Found) -> bool:
    """Several measures are meant only when the question joins them ("revenue and visits")."""
    return any(toks.norm[j] in AND for j in range(len(toks)))


def _order(lexicon: Lexicon, query: Query, found: Found, group: list[str], time: TimeFind) -> None:
    measure = query["measures"][0]
    categories = [d for d in group if lexicon.dimensions.get(d) and lexicon.dimensions[d].role == "category"]
    if time.grain:
        if found.top and group:
            query["top"] = {"n": found.top, "by": measure, "within": ["time"]}
        elif found.direction and not group:  # "which month had the most revenue"
            query["order"] = [{"field": measure, "dir": found.direction}]
            if found.top:
                query["limit"] = found.top
        return
    if not group:
        return
    direction = found.direction or "desc"
    if categories or found.direction or found.top:
        query["order"] = [{"field": measure, "dir": direction}]
    else:
        query["order"] = [{"field": group[0], "dir": "asc"}]
    if found.top:
        query["limit"] = found.top
