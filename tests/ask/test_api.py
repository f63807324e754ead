"""`POST /api/ask` and `medspa ask` without a language model: the built-in parser, over the client's export."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.ask.answer import money
from tests.conftest import create_key

REVENUE_BY_SOURCE = {"measures": ["revenue"], "dimensions": ["patient.source"], "time": {"range": "last_90_days"},
                     "order": [{"field": "revenue", "dir": "desc"}]}


def ask(client: TestClient, question: str, **kwargs: object) -> dict:
    response = client.post("/api/ask", json={"question": question}, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_ask_answers_with_the_figures_of_the_query_api(no_model: TestClient) -> None:
    body = ask(no_model, "Which acquisition source brought the most revenue in the last 90 days?")
    expected = no_model.post("/api/query", json=REVENUE_BY_SOURCE).json()
    assert body["engine"] == "parser" and body["steps"] == 0 and body["stopped_by"] is None
    assert body["interpretation"] == "revenue by acquisition source, last 90 days"
    [call] = body["queries"]
    assert call["tool"] == "query" and call["arguments"] == REVENUE_BY_SOURCE
    assert call["result"]["rows"] == expected["rows"] and call["result"]["total_rows"] == expected["total_rows"]
    top, second = expected["rows"][:2]
    assert body["answer"].startswith("Revenue by acquisition source in the last 90 days: ")
    assert f"{top['patient.source']} is highest with {money(top['revenue'])}" in body["answer"]
    assert f"{second['patient.source']} ({money(second['revenue'])})" in body["answer"]
    assert body["chart"] == {"type": "bar", "query_index": 0, "x": "patient.source", "y": ["revenue"]}
    assert body["suggestions"] == []


def test_one_number_comes_with_its_comparison(no_model: TestClient) -> None:
    body = ask(no_model, "revenue this month vs last month")
    row = body["queries"][0]["result"]["rows"][0]
    assert body["interpretation"] == "revenue, this month, compared with the previous period"
    assert body["answer"].startswith(f"Revenue this month: {money(row['revenue'])}, ")
    assert money(row["revenue.previous"]) in body["answer"] and body["chart"] is None


def test_a_measure_over_time_by_a_few_values_is_drawn_as_lines(no_model: TestClient) -> None:
    body = ask(no_model, "revenue by source by month this year")
    assert body["chart"] == {"type": "line", "query_index": 0, "x": "time", "y": ["revenue"]}
    many = ask(no_model, "revenue by service by month this year")  # ten services: a table
    assert many["chart"]["type"] == "table"


def test_a_question_it_cannot_map_is_a_200_with_questions_it_can_answer(no_model: TestClient) -> None:
    body = ask(no_model, "Which city do most of our patients live in?")
    assert body["engine"] == "parser" and body["queries"] == [] and body["interpretation"] is None
    assert body["answer"] == "I can't answer that yet. I don't know \u201ccity\u201d or \u201clive\u201d in this data."
    assert 1 <= len(body["suggestions"]) <= 3
    for suggestion in body["suggestions"]:  # each one is answered
        answered = ask(no_model, suggestion)
        assert answered["interpretation"] and "rows" in answered["queries"][0]["result"], suggestion


def test_questions_about_one_person_are_declined(no_model: TestClient) -> None:
    for question in ("What is Jane Smith's phone number?", "show me patient names", "list all our clients"):
        body = ask(no_model, question)
        assert body["queries"] == [] and body["answer"].startswith("I can't answer that yet."), question
        assert "Patients page" in body["answer"], question


def test_a_query_the_engine_cannot_run_yet_is_said_so(no_model: TestClient) -> None:
    """Shares of a total need the query language's additions (issue 18): until the engine has them, the
    parser's query is shown with the engine's refusal and the closest questions that work today."""
    body = ask(no_model, "share of revenue by source")
    [call] = body["queries"]
    assert call["arguments"]["calculations"] == [{"name": "share", "op": "share_of_total", "of": "revenue"}]
    assert body["interpretation"] == "revenue by acquisition source, with their share of the total"
    if "error" in call["result"]:
        assert body["answer"] == ("I can't answer that yet. I understood the question, but the data cannot answer "
                                  "this kind of question yet.")
        assert body["suggestions"][0] == "Revenue by acquisition source"
    else:  # the engine has the additions
        assert "of the total" in body["answer"]


def test_the_front_desk_may_not_ask_and_agent_keys_get_the_parser_as_agents(
        no_model: TestClient, client_db_url: str, api_for) -> None:
    with api_for(client_db_url, role="front_desk") as desk:
        refused = desk.post("/api/ask", json={"question": "revenue last month"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    headers = {"Authorization": f"Bearer {create_key(client_db_url, 'ask-agent', 'agent')}"}
    body = ask(no_model, "revenue by source last 90 days", headers=headers)
    assert body["engine"] == "parser" and body["queries"][0]["result"]["rows"]
    declined = ask(no_model, "what is the email of our best patient", headers=headers)
    assert declined["queries"] == [] and declined["answer"].startswith("I can't answer that yet.")


def test_medspa_ask_prints_the_answer_and_the_rows(client_db_url: str, monkeypatch) -> None:
    from service import cli
    from service.settings import Settings

    monkeypatch.setattr(cli, "get_settings", lambda: Settings(database_url=client_db_url))
    monkeypatch.setenv("LLM_BASE_URL", "")
    result = CliRunner().invoke(cli.app, ["ask", "visits by weekday"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Visits by day of week: highest for ")
    assert lines[1] == "Understood as: visits by day of week"
    assert any(line.startswith("Monday ") for line in lines)
    raw = CliRunner().invoke(cli.app, ["ask", "--json", "revenue by city"])
    assert raw.exit_code == 0 and json.loads(raw.stdout)["suggestions"]
