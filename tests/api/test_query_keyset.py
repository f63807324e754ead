"""`after` and `meta.next_cursor` over HTTP (keyset paging of listings, additive to the contract): the pages
are the offset pages, `total_rows` stays the whole listing's, a cursor fits only its own query, and every
misuse is a 400 in the contract's error shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.services.query import RESULTS
from tests.conftest import signed_in_client
from tests.generated import generated_database

PAGE = 40
LISTING: dict[str, Any] = {"dimensions": ["patient.id", "patient.name", "patient.last_visit_at"],
           "filters": [{"field": "patient.source", "op": "in", "values": ["instagram", "google"]}],
           "order": [{"field": "patient.last_visit_at", "dir": "desc"}], "limit": PAGE}


@pytest.fixture(scope="module")
def api(make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = generated_database(make_database, tmp_path_factory.mktemp("generated"), patients=500, seed=5)
    with signed_in_client(url) as client:
        yield client


def post(api: TestClient, query: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = api.post("/api/query", json=query)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_walking_by_cursor_gives_the_offset_pages_and_the_whole_total(api: TestClient) -> None:
    first = post(api, LISTING)
    total = first["total_rows"]
    assert total > 3 * PAGE  # several pages, the last one short
    by_offset = [first["rows"]]
    while sum(len(p) for p in by_offset) < total:
        by_offset.append(post(api, {**LISTING, "offset": PAGE * len(by_offset)})["rows"])
    by_cursor, cursor = [first["rows"]], first["meta"]["next_cursor"]
    while cursor is not None:
        body = post(api, {**LISTING, "after": cursor})
        assert body["total_rows"] == total  # the whole listing's, not what is left after the cursor
        assert body["columns"] == first["columns"]
        by_cursor.append(body["rows"])
        cursor = body["meta"]["next_cursor"]
    assert by_cursor == by_offset
    assert len(by_cursor[-1]) < PAGE


def test_next_cursor_only_where_a_full_page_of_rows_may_continue(api: TestClient) -> None:
    assert isinstance(post(api, LISTING)["meta"]["next_cursor"], str)
    assert post(api, {**LISTING, "limit": 10_000})["meta"]["next_cursor"] is None  # the whole listing: no more
    assert post(api, {**LISTING, "limit": 0})["meta"]["next_cursor"] is None
    assert post(api, {"measures": ["revenue"], "dimensions": ["patient.source"], "limit": 1})["meta"]["next_cursor"] \
        is None
    assert post(api, {"dimensions": ["patient.source"], "limit": 1})["meta"]["next_cursor"] is None  # distinct
    sql = api.post("/api/query/sql", json=LISTING)
    assert sql.status_code == 200 and sql.json()["meta"]["next_cursor"] is None  # nothing ran


def test_cached_pages_keep_their_cursor_and_each_cursor_its_page(api: TestClient) -> None:
    RESULTS.items.clear()
    first = post(api, LISTING)
    entries = len(RESULTS.items)
    again = post(api, LISTING)  # from the result cache
    assert len(RESULTS.items) == entries and again["meta"]["next_cursor"] == first["meta"]["next_cursor"]
    second = post(api, {**LISTING, "after": first["meta"]["next_cursor"]})
    assert len(RESULTS.items) > entries and second["rows"] != first["rows"]
    assert second["meta"]["next_cursor"] not in (None, first["meta"]["next_cursor"])
    assert post(api, {**LISTING, "after": first["meta"]["next_cursor"]})["rows"] == second["rows"]
    # the same SQL at another as_of is another listing: its cursor is its own, never the cached one's
    plain = {"dimensions": ["patient.id", "patient.source"], "limit": 25}
    now = post(api, plain)["meta"]["next_cursor"]
    earlier = post(api, {**plain, "as_of": "2025-06-30"})["meta"]["next_cursor"]
    assert now != earlier
    assert post(api, {**plain, "as_of": "2025-06-30", "after": earlier})["rows"] == post(
        api, {**plain, "offset": 25})["rows"]
    assert post(api, {**plain, "as_of": "2025-06-30", "after": now}, 400)["error"]["code"] == "invalid_cursor"


def test_misused_or_bad_cursors_are_400s(api: TestClient) -> None:
    cursor = post(api, LISTING)["meta"]["next_cursor"]
    cases = {
        "another query": ({**LISTING, "filters": [], "after": cursor}, "invalid_cursor", "after"),
        "another order": ({**LISTING, "order": [{"field": "patient.name", "dir": "asc"}], "after": cursor},
                          "invalid_cursor", "after"),
        "malformed": ({**LISTING, "after": "not-a-cursor"}, "invalid_cursor", "after"),
        "tampered": ({**LISTING, "after": cursor[:-6]}, "invalid_cursor", "after"),
        "with an offset": ({**LISTING, "offset": 40, "after": cursor}, "invalid_query", "offset"),
        "on measures": ({"measures": ["revenue"], "after": cursor}, "invalid_query", "after"),
        "on a distinct listing": ({"dimensions": ["patient.source"], "after": cursor}, "invalid_query", "after"),
    }
    for what, (query, code, path) in cases.items():
        error = post(api, query, 400)["error"]
        assert (error["code"], error["path"]) == (code, path), what
        assert error["message"] and "Traceback" not in error["message"], what
    assert post(api, {**LISTING, "after": 12}, 422)["error"]["code"] == "invalid_request"  # not a string at all


def test_the_openapi_document_describes_after_and_next_cursor(api: TestClient) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert "after" in schemas["Query"]["properties"]
    assert "next_cursor" in schemas["Meta"]["properties"]


def test_pages_past_the_middle_have_the_offset_rows_and_cursors_that_continue(api: TestClient) -> None:
    # the API counts first and reads these pages from the listing's other end (tests/api/test_request_cost.py)
    total = post(api, LISTING)["total_rows"]
    last = (total - 1) // PAGE * PAGE
    for offset in (total // 2, last - PAGE, last):
        page = post(api, {**LISTING, "offset": offset})
        assert page["total_rows"] == total
        assert len(page["rows"]) == min(PAGE, total - offset)
        cursor = page["meta"]["next_cursor"]
        if offset == last:
            assert cursor is None  # the short last page ends the listing
            continue
        after = post(api, {**LISTING, "after": cursor})
        assert after["rows"] == post(api, {**LISTING, "offset": offset + PAGE})["rows"]
    whole = post(api, {**LISTING, "limit": total})["rows"]
    assert post(api, {**LISTING, "offset": last})["rows"] == whole[last:]
