"""Every corpus intent that today's engine can answer: its expected query runs on the client's export.

(Intents marked `needs` use the query-language additions of issue 18; the parser test checks their queries.)
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.ask.support import load_corpus

_, INTENTS = load_corpus()


def test_the_expected_queries_run_on_the_engine(client_api: TestClient) -> None:
    runnable = [i for i in INTENTS if i["query"] is not None and not i.get("needs")]
    assert len(runnable) >= 40
    failures = []
    for intent in runnable:
        response = client_api.post("/api/query", json=intent["query"])
        if response.status_code != 200:
            failures.append(f"{intent['id']}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)
