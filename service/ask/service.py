"""`/api/ask` without a language model: parse the question, run its query as the caller, answer in a sentence.

The query goes through the API's own `POST /api/query` in-process, as the caller (their role, their
audit trail): nothing leaves the server, so the agent scope does not apply (contract additions, 4). A
question the parser cannot map is a 200 saying so, with questions it can answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from starlette.types import ASGIApp

from service.agent.chart import pick_chart
from service.agent.inprocess import InProcessApi
from service.ask.answer import sentence
from service.ask.describe import describe
from service.ask.lexicon import Lexicon
from service.ask.parser import Parse, parse
from service.ask.suggest import suggestions
from service.ask.values import lexicon_for
from service.auth.principal import Principal
from service.db.engine import raw_connection
from service.errors_http import ApiError
from service.services.query import catalog_for, data_state, outage_as_503, resolve_as_of, scope_for

logger = logging.getLogger("medspa.ask")

CANNOT = "I can't answer that yet."


def declined(result: Parse, as_of: dt.date) -> str:
    """What to tell the asker when the parser cannot map the question (no engineer's words)."""
    hints = {
        "personal": "Ask answers with totals and groups, not about individual patients; the Patients page "
                    "lists and finds people.",
        "listing": "Ask answers with figures; the Patients page lists and finds people.",
        "ambiguous": "The question can be read in more than one way.",
        "forecast": f"That would be a forecast: the data has no payments or visits after "
                    f"{as_of.strftime('%b')} {as_of.day}, {as_of.year}.",
        "compare_period": "Say which period to compare, for example \"this month compared with last month\".",
        "no_measure": "I could not tell which figure you want (revenue, visits, new patients...).",
        "average_of_what": "Say what the average is per: per patient (revenue per patient) or per payment "
                           "(average ticket).",
        "cannot_split": "That figure cannot be split that way in this data.",
        "per_record_number": "That is a number per patient or per visit: ask for its average, or for records "
                             "above or below a value.",
        "rank_what": "Say what to rank or split by, for example \"by service\" or \"by month\".",
    }
    if result.problem == "unknown_words" and result.unknown:
        quoted = [f"\u201c{w}\u201d" for w in dict.fromkeys(result.unknown[:3])]
        words = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
        hint = f"I don't know {words} in this data."
    else:
        hint = hints.get(result.problem or "", "I could not match it to the data with confidence.")
    return f"{CANNOT} {hint}"


MAX_LINES = 8  # series a line chart draws (one per value of the other dimension)


def chart_for(queries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """`pick_chart`, except that a measure over time by one dimension with a few values is a line per value
    (revenue by service by month), not a table."""
    chart = pick_chart(queries)
    if chart is None or chart["type"] != "table":
        return chart
    result = queries[chart["query_index"]]["result"]
    columns = [c for c in result.get("columns") or [] if isinstance(c, dict)]
    others = [c["name"] for c in columns if c.get("kind") != "measure" and c["name"] != "time"]
    measures = [c["name"] for c in columns if c.get("kind") == "measure"]
    if any(c["name"] == "time" for c in columns) and len(others) == 1 and len(measures) == 1 and \
            len({row.get(others[0]) for row in result.get("rows") or []}) <= MAX_LINES:
        return {"type": "line", "query_index": chart["query_index"], "x": "time", "y": measures}
    return chart


def _reply(answer: str, *, queries: list[dict[str, Any]] | None = None, interpretation: str | None = None,
           suggested: list[str] | None = None) -> dict[str, Any]:
    queries = queries or []
    return {"answer": answer, "queries": queries, "chart": chart_for(queries), "steps": 0, "stopped_by": None,
            "engine": "parser", "interpretation": interpretation, "suggestions": suggested or []}


async def ask_with_parser(question: str, app: ASGIApp, principal: Principal) -> dict[str, Any]:
    """The `/api/ask` response body for `question`, answered by the parser as `principal`."""
    state_app: Any = getattr(app, "state", None)
    settings, engine = state_app.settings, state_app.engine
    catalog = catalog_for(settings)
    async with outage_as_503(), raw_connection(engine) as conn:
        state = await data_state(conn)
    as_of = resolve_as_of(None, settings, state)[0].day  # the parser's relative dates count from its day
    async with outage_as_503():
        lexicon = await lexicon_for(engine, settings, catalog, state, scope_for(principal.role))
    started = time.perf_counter()
    result = parse(question, lexicon, as_of)
    logger.info("ask parsed", extra={"fields": {"status": result.status, "problem": result.problem,
                                                "ms": round((time.perf_counter() - started) * 1000, 2)}})
    if result.status != "ok" or result.query is None:
        return _reply(declined(result, as_of), suggested=suggestions(result, lexicon, as_of))
    return await _run(result, lexicon, as_of, app, principal)


async def _run(result: Parse, lexicon: Lexicon, as_of: dt.date, app: ASGIApp, principal: Principal) -> dict[str, Any]:
    assert result.query is not None
    query = result.query
    interpretation = describe(query, lexicon, as_of)
    reply = await InProcessApi(app, principal).post("/api/query", query)
    calls = [{"tool": "query", "arguments": query, "result": reply.body}]
    if reply.status >= 500:
        error = reply.body.get("error", {}) if isinstance(reply.body, dict) else {}
        raise ApiError(503, str(error.get("code") or "service_unavailable"),
                       str(error.get("message") or "the database is unavailable"), retryable=True)
    if not reply.ok:
        # the engine refuses the query: a query-language addition it does not have yet, or the caller's role
        return _reply(f"{CANNOT} I understood the question, but the data cannot answer this kind of question yet.",
                      queries=calls, interpretation=interpretation, suggested=suggestions(result, lexicon, as_of))
    return _reply(sentence(query, reply.body, lexicon, as_of), queries=calls, interpretation=interpretation)
