"""Every database failure mapped on purpose, so no client is misled: a value the database refuses is the
client's 400, the database not being there (or not taking connections) a retryable 503, a query over its time
or size limits its own answer, and anything else a 500 that names the request id for the logs.

PostgreSQL errors are decided by their SQLSTATE: the class (the code's first two characters, PostgreSQL's
appendix A) with a few single codes overriding it. asyncpg's own client-side errors carry no SQLSTATE and are
decided by their type. tests/api/test_db_failures.py walks every exception class asyncpg defines, so one
added by a new asyncpg version fails that test until it is placed here.
"""

from __future__ import annotations

import enum

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


class Outcome(enum.Enum):
    BAD_VALUE = "bad_value"  # 400 invalid_request: a value the database cannot take or compute with
    TOO_LARGE = "too_large"  # 400 limit_exceeded: the request asks for more than the database allows
    UNAVAILABLE = "unavailable"  # 503 database_unavailable, retryable
    TIMEOUT = "timeout"  # 503 query_timeout, retryable (the statement timeout cancelled it)
    BUSY = "busy"  # 503 server_busy, retryable (no pooled connection came free in time)
    INTERNAL = "internal"  # 500 internal_error with the request id: a bug or a broken deployment


_U, _B, _L, _I = Outcome.UNAVAILABLE, Outcome.BAD_VALUE, Outcome.TOO_LARGE, Outcome.INTERNAL

# SQLSTATE class -> outcome, for every class PostgreSQL (and so asyncpg) defines.
BY_CLASS: dict[str, Outcome] = {
    "00": _I, "01": _I, "02": _I, "03": _I,  # success, warnings, no data, statement incomplete: not failures
    "08": _U,  # connection exception: refused, lost, rejected
    "09": _I, "0A": _I, "0B": _I, "0F": _I, "0L": _I, "0P": _I, "0Z": _I,
    "10": _I,  # XQuery errors
    "20": _I, "21": _I,
    "22": _B,  # data exception: a value out of range, malformed, NUL in text, division by zero on a value
    "23": _I,  # integrity constraint violation (nothing a client sends writes data)
    "24": _I, "25": _I, "26": _I, "27": _I,
    "28": _U,  # invalid authorization: the server refuses the app's credentials (logged for the operator)
    "2B": _I, "2D": _I, "2F": _I, "34": _I, "38": _I, "39": _I, "3B": _I,
    "3D": _U,  # invalid catalog name: the database is not there (dropped, not yet created)
    "3F": _I,
    "40": _U,  # transaction rollback: serialization failure, deadlock (retrying succeeds)
    "42": _I,  # syntax or access rule: our SQL or our grants, never the client's (values are bound)
    "44": _I,
    "53": _U,  # insufficient resources: disk full, out of memory, too many connections
    "54": _L,  # program limit exceeded: statement too complex, too many columns or arguments
    "55": _U,  # object not in prerequisite state: a lock not available, an object in use
    "57": _U,  # operator intervention: shutdown, crash, cannot connect now, database dropped
    "58": _U,  # system error: I/O error on the server
    "72": _U,  # snapshot too old
    "F0": _U,  # configuration file error
    "HV": _I,  # foreign data wrapper
    "P0": _I,  # PL/pgSQL raise (the audit trail's append-only trigger)
    "XX": _I,  # internal error, corruption
}

# Single codes whose outcome differs from their class's.
BY_CODE: dict[str, Outcome] = {
    "57014": Outcome.TIMEOUT,  # query_canceled: statement_timeout
    "53400": _L,  # configuration_limit_exceeded: temp_file_limit (the reader role's temporary files)
    "25006": _I,  # read_only_sql_transaction: the query path tried to write (a bug), not an outage
}

# asyncpg's client-side errors (no SQLSTATE), most specific first.
BY_TYPE: tuple[tuple[type[BaseException], Outcome], ...] = (
    (asyncpg.OutdatedSchemaCacheError, _U),  # a cached statement's types changed (a load swapped tables): retry
    (asyncpg.TargetServerAttributeNotMatched, _U),  # no server of the wanted kind (primary/standby) reachable
    (asyncpg.ProtocolError, _U),  # the connection broke mid-message
    (asyncpg.InternalClientError, _U),  # a pooled connection the server had just dropped (see service.app)
    (asyncpg.ClientConfigurationError, _I),  # our connection settings
    (asyncpg.UnsupportedClientFeatureError, _I),
    (asyncpg.UnsupportedServerFeatureError, _I),
    (asyncpg.InterfaceError, _U),  # "connection is closed", "connection was closed in the middle of operation"
    (asyncpg.InterfaceWarning, _I),
    (asyncpg.PostgresLogMessage, _I),
)
# The one InterfaceError that is the request's doing (asyncpg's own wording, never user text).
_TOO_MANY_ARGUMENTS = "number of query arguments cannot exceed"


def causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (SQLAlchemy's `.orig`, Python's `__cause__`/`__context__`)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        orig = current.orig if isinstance(current, DBAPIError) else None
        current = orig or current.__cause__ or current.__context__
    return seen


def of_asyncpg(exc: BaseException) -> Outcome | None:
    """The outcome of one asyncpg exception (None: not asyncpg's)."""
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.PostgresError):
        if isinstance(sqlstate, str) and len(sqlstate) == 5:
            return BY_CODE.get(sqlstate) or BY_CLASS.get(sqlstate[:2], _I)
        return _I  # an error without a SQLSTATE from the server: nothing says what it is
    if isinstance(exc, asyncpg.InterfaceError) and _TOO_MANY_ARGUMENTS in str(exc):
        return _L
    for kind, outcome in BY_TYPE:
        if isinstance(exc, kind):
            return outcome
    return None


def classify(exc: BaseException) -> Outcome | None:
    """The outcome of a failure that involves the database, or None when nothing in its chain does."""
    for link in causes(exc):
        outcome = of_asyncpg(link)
        if outcome is not None:
            return outcome
    chain = causes(exc)
    if any(isinstance(e, PoolTimeoutError) for e in chain):
        return Outcome.BUSY
    if any(getattr(e, "connection_invalidated", False) for e in chain):
        return _U
    if any(isinstance(e, OSError | OperationalError | InterfaceError) for e in chain):
        return _U  # refused, reset, unreachable, a connect timeout (TimeoutError is an OSError)
    return None
