"""Forgiving search (the contract's search order): typos, transposed letters and "last, first" still find the
patient, best matches first; an explicit order is kept; DuckDB (no trigrams) matches exact words only."""

from __future__ import annotations

from typing import Any

import pytest

DIMS = ["patient.id", "patient.name"]


def _search(client: Any, text: str, **extra: Any) -> list[dict[str, Any]]:
    body = {"dimensions": DIMS, "filters": [{"field": "patient.search", "op": "search", "value": text}],
            "limit": 50, **extra}
    response = client.post("/api/query", json=body)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


@pytest.mark.parametrize("typed, found", [
    ("Edward Adams", "Edward Adams"),       # exact
    ("Adams, Edward", "Edward Adams"),      # last, first
    ("Edward Adms", "Edward Adams"),        # a letter missing
    ("Edwrad Adams", "Edward Adams"),       # transposed letters
    ("Eduard Adams", "Edward Adams"),       # a wrong letter
    ("Savanah", "Savannah Harvey"),         # one word, a letter missing
    ("Svaannah", "Savannah Harvey"),        # one word, transposed
])
def test_typos_and_last_first_find_the_patient_first(client_api: Any, typed: str, found: str) -> None:
    rows = _search(client_api, typed)
    names = [r["patient.name"] for r in rows]
    assert found in names, (typed, names[:10])
    # the best match leads: the patient who is exactly what was meant (or an equally close spelling)
    assert names.index(found) < 3, (typed, names[:10])


def test_the_closest_spelling_leads_among_close_ones(client_api: Any) -> None:
    """"Connie Brwn" is as word-similar to Connie Brock as to Connie Brown; the name's whole spelling decides."""
    assert [r["patient.name"] for r in _search(client_api, "Connie Brwn")][:2] == ["Connie Brown", "Connie Brock"]


def test_exact_matches_come_before_close_spellings_then_by_name(client_api: Any) -> None:
    rows = _search(client_api, "adams")
    names = [r["patient.name"] for r in rows]
    exact = [n for n in names if "adams" in n.lower()]
    assert exact and names[:len(exact)] == exact  # every exact match first
    surnames = [n.split(" ", 1)[1] for n in exact]
    assert surnames == sorted(surnames)  # then by name


def test_an_explicit_order_is_kept(client_api: Any) -> None:
    rows = _search(client_api, "savannah", order=[{"field": "patient.id", "dir": "desc"}])
    ids = [r["patient.id"] for r in rows]
    assert ids == sorted(ids, reverse=True) and len(ids) >= 2


def test_nothing_close_finds_nothing(client_api: Any) -> None:
    assert _search(client_api, "Xqzvbnm Wrtpkl") == []


def test_search_pages_by_cursor_in_relevance_order(client_api: Any) -> None:
    whole = _search(client_api, "ann", limit=60)
    first = client_api.post("/api/query", json={
        "dimensions": DIMS, "filters": [{"field": "patient.search", "op": "search", "value": "ann"}],
        "limit": 25}).json()
    cursor = first["meta"]["next_cursor"]
    assert cursor
    second = client_api.post("/api/query", json={
        "dimensions": DIMS, "filters": [{"field": "patient.search", "op": "search", "value": "ann"}],
        "limit": 25, "after": cursor}).json()
    assert [r["patient.id"] for r in first["rows"] + second["rows"]] == [r["patient.id"] for r in whole[:50]]


def test_the_sql_uses_the_trigram_operator_with_bound_values(client_api: Any) -> None:
    body = {"dimensions": DIMS, "filters": [{"field": "patient.search", "op": "search", "value": "Edwrad Adams"}]}
    explained = client_api.post("/api/query/sql", json=body).json()
    assert "OPERATOR(<%)" in explained["parameterized_sql"]
    assert "edwrad adams" in explained["params"] and "Edwrad" not in explained["parameterized_sql"]


def test_a_close_spelling_needs_every_word_close(client_api: Any) -> None:
    """"Edward Adms" is an Edward Adams (or close), not every Edward: the misspelt word must be close too."""
    names = [r["patient.name"] for r in _search(client_api, "Edward Adms")]
    everyone_edward = _search(client_api, "Edward")
    assert names and len(names) < len(everyone_edward)
    assert all("ad" in n.lower().split(" ", 1)[1] for n in names), names


def test_one_or_two_letters_list_by_name(client_api: Any) -> None:
    rows = _search(client_api, "jo")
    last_first = [(r["patient.name"].split(" ", 1)[1], r["patient.name"].split(" ", 1)[0]) for r in rows]
    assert last_first == sorted(last_first) and len(rows) == 50


def test_search_pages_backwards_in_relevance_order(client_api: Any) -> None:
    """The last page (`before: "end"`) of a best-first search is the tail of the whole list, in the same order."""
    whole = [r["patient.id"] for r in _search(client_api, "ann", limit=1000)]
    assert len(whole) > 25
    last = client_api.post("/api/query", json={
        "dimensions": DIMS, "filters": [{"field": "patient.search", "op": "search", "value": "ann"}],
        "limit": 25, "before": "end"}).json()
    assert [r["patient.id"] for r in last["rows"]] == whole[-25:]
