"""Every database failure is mapped on purpose (service/db/failures.py): the walk over asyncpg's exception
classes fails when a new asyncpg brings a class (or a SQLSTATE class) nobody placed, and the answers keep the
contract's shape: values the database refuses 400, unavailability 503 retryable, anything else 500 with the
request id."""

from __future__ import annotations

import inspect

import asyncpg
import asyncpg.exceptions
import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from service.db.failures import BY_CLASS, BY_CODE, BY_TYPE, Outcome, classify, of_asyncpg
from service.errors_http import database_error, unexpected_error_response

ASYNCPG_CLASSES = sorted(
    {cls for _, cls in inspect.getmembers(asyncpg.exceptions, inspect.isclass) if issubclass(cls, BaseException)},
    key=lambda cls: cls.__name__)


def _instance(cls: type[BaseException]) -> BaseException:
    """An instance the way asyncpg makes them: server errors from their fields, client errors from a message."""
    if issubclass(cls, asyncpg.PostgresError):
        return cls.new({"M": "a message that could quote a patient's data", "C": getattr(cls, "sqlstate", None)
                        or "XX000"})
    try:
        return cls("a message")
    except TypeError:  # e.g. TargetServerAttributeNotMatched takes more
        return cls.__new__(cls)


def test_asyncpg_defines_the_classes_we_walk() -> None:
    assert len(ASYNCPG_CLASSES) > 250  # PostgreSQL's SQLSTATEs and asyncpg's own errors


@pytest.mark.parametrize("cls", ASYNCPG_CLASSES, ids=lambda c: c.__name__)
def test_every_asyncpg_exception_class_is_placed_on_purpose(cls: type[BaseException]) -> None:
    sqlstate = getattr(cls, "sqlstate", None)
    if issubclass(cls, asyncpg.PostgresError) and sqlstate:
        assert sqlstate[:2] in BY_CLASS, f"SQLSTATE class {sqlstate[:2]} ({cls.__name__}) is in no row of BY_CLASS"
    elif cls not in (asyncpg.PostgresError, asyncpg.FatalPostgresError, asyncpg.UnknownPostgresError,
                     asyncpg.exceptions._base.PostgresMessage, asyncpg.exceptions.PostgresLogMessage):
        placed = [kind for kind, _ in BY_TYPE if issubclass(cls, kind)]
        assert placed, f"{cls.__name__} (client-side, no SQLSTATE) is in no row of BY_TYPE"
    if issubclass(cls, Exception):
        assert of_asyncpg(_instance(cls)) is not None


@pytest.mark.parametrize(("sqlstate", "outcome"), [
    ("22003", Outcome.BAD_VALUE),  # numeric_value_out_of_range
    ("22021", Outcome.BAD_VALUE),  # character_not_in_repertoire (a NUL in text)
    ("22008", Outcome.BAD_VALUE),  # datetime_field_overflow
    ("08006", Outcome.UNAVAILABLE),  # connection_failure
    ("53300", Outcome.UNAVAILABLE),  # too_many_connections
    ("57P01", Outcome.UNAVAILABLE),  # admin_shutdown
    ("57P03", Outcome.UNAVAILABLE),  # cannot_connect_now (starting up, or ALLOW_CONNECTIONS false)
    ("3D000", Outcome.UNAVAILABLE),  # invalid_catalog_name: the database is gone
    ("40P01", Outcome.UNAVAILABLE),  # deadlock_detected: retry
    ("57014", Outcome.TIMEOUT),  # query_canceled by statement_timeout
    ("53400", Outcome.TOO_LARGE),  # configuration_limit_exceeded: temp_file_limit
    ("54000", Outcome.TOO_LARGE),  # program_limit_exceeded
    ("42P01", Outcome.INTERNAL),  # undefined_table: our schema, not the client
    ("42501", Outcome.INTERNAL),  # insufficient_privilege: our grants
    ("25006", Outcome.INTERNAL),  # read_only_sql_transaction: the read path tried to write
    ("P0001", Outcome.INTERNAL),  # raise_exception (the audit trail's trigger)
    ("XX000", Outcome.INTERNAL),
])
def test_sqlstates_that_matter(sqlstate: str, outcome: Outcome) -> None:
    cls = asyncpg.PostgresError.get_message_class_for_sqlstate(sqlstate) or asyncpg.PostgresError  # type: ignore[attr-defined]
    assert of_asyncpg(cls.new({"M": "m", "C": sqlstate})) is outcome
    assert BY_CODE.get(sqlstate, BY_CLASS[sqlstate[:2]]) is outcome


@pytest.mark.parametrize(("exc", "outcome"), [
    (asyncpg.InterfaceError("the number of query arguments cannot exceed 32767"), Outcome.TOO_LARGE),
    (asyncpg.InterfaceError("connection is closed"), Outcome.UNAVAILABLE),
    (asyncpg.exceptions.ConnectionDoesNotExistError("lost"), Outcome.UNAVAILABLE),
    (asyncpg.InternalClientError("broken"), Outcome.UNAVAILABLE),
    (ConnectionRefusedError(111, "refused"), Outcome.UNAVAILABLE),
    (TimeoutError("connect timed out"), Outcome.UNAVAILABLE),
    (PoolTimeoutError("QueuePool limit reached"), Outcome.BUSY),
    (ValueError("not the database's"), None),
    (KeyError("nor this"), None),
])
def test_client_side_and_wrapped_failures(exc: BaseException, outcome: Outcome | None) -> None:
    assert classify(exc) is outcome
    wrapped = DBAPIError("SELECT 1", None, exc if isinstance(exc, Exception) else Exception())  # SQLAlchemy's .orig
    if isinstance(exc, Exception) and outcome not in (None, Outcome.BUSY):
        assert classify(wrapped) is outcome
    chained = RuntimeError("while answering")
    chained.__cause__ = exc
    assert classify(chained) is outcome


@pytest.mark.parametrize(("outcome_exc", "status", "code", "retryable"), [
    (asyncpg.PostgresError.get_message_class_for_sqlstate("22003"), 400, "invalid_request", None),  # type: ignore[attr-defined]
    (asyncpg.PostgresError.get_message_class_for_sqlstate("53400"), 400, "limit_exceeded", None),  # type: ignore[attr-defined]
    (asyncpg.PostgresError.get_message_class_for_sqlstate("53300"), 503, "database_unavailable", True),  # type: ignore[attr-defined]
    (asyncpg.PostgresError.get_message_class_for_sqlstate("57014"), 503, "query_timeout", True),  # type: ignore[attr-defined]
    (asyncpg.PostgresError.get_message_class_for_sqlstate("42P01"), 500, "internal_error", None),  # type: ignore[attr-defined]
])
def test_the_answers_keep_the_contract_shape_and_say_nothing_of_the_message(
        outcome_exc: type[asyncpg.PostgresError], status: int, code: str, retryable: bool | None) -> None:
    exc = outcome_exc.new({"M": "Jane Doe's phone 555-0100", "C": outcome_exc.sqlstate})
    response = unexpected_error_response(exc, "req123")
    body = response.body.decode()
    assert response.status_code == status
    assert "Jane" not in body and "555" not in body
    import json

    error = json.loads(body)["error"]
    assert error["code"] == code and error.get("retryable") == retryable
    assert set(error) >= {"code", "message", "path", "suggestions"}
    if status == 500:
        assert error["request_id"] == "req123" and "req123" in error["message"]
    if status == 503:
        assert response.headers["retry-after"] == "1"
    api_error = database_error(exc)
    assert (api_error.status if api_error else 500) == status
