"""CPU work off the event loop (service/offload.py): a lane runs its jobs in its threads while the loop keeps
answering, refuses at once past its queue (a retryable 503 `server_busy`), and interrupts a job past its CPU
budget; a query whose compilation runs past the budget is a 400 `limit_exceeded`, and the lane works on."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from semantic import default_catalog
from service.errors_http import ApiError
from service.offload import Lane, OverBudget


def _spin() -> None:
    while True:
        pass


def test_a_job_past_its_cpu_budget_is_interrupted_and_the_lane_works_on() -> None:
    lane = Lane("test", threads=1, queue=2)

    async def go() -> int:
        with pytest.raises(OverBudget):
            await lane.run(_spin, budget=0.2)
        return await lane.run(lambda: sum(range(1000)), budget=0.2)

    assert asyncio.run(go()) == 499500


def test_waiting_is_not_cpu_time() -> None:
    lane = Lane("test", threads=1, queue=1)
    started = time.monotonic()
    asyncio.run(lane.run(lambda: time.sleep(0.4), budget=0.1))
    assert time.monotonic() - started >= 0.4


def test_a_full_queue_refuses_at_once_and_the_loop_keeps_answering() -> None:
    lane = Lane("test", threads=1, queue=1)

    async def go() -> tuple[list[Any], list[float]]:
        ticks: list[float] = []

        async def tick() -> None:  # the event loop's own work while the lane is busy
            for _ in range(10):
                started = time.monotonic()
                await asyncio.sleep(0.02)
                ticks.append(time.monotonic() - started)

        jobs = [lane.run(lambda: time.sleep(0.3)) for _ in range(3)]
        results = await asyncio.gather(*jobs, tick(), return_exceptions=True)
        return list(results[:3]), ticks

    results, ticks = asyncio.run(go())
    refused = [r for r in results if isinstance(r, ApiError)]
    assert len(refused) == 1 and refused[0].status == 503 and refused[0].code == "server_busy"
    assert refused[0].retryable is True
    assert max(ticks) < 0.1  # the loop was never held by the jobs


def test_a_query_too_complex_to_compile_in_its_budget_is_refused(client_db_url: str, api_for: Any) -> None:
    measures = [m.name for m in default_catalog().all_measures()]
    heavy = {"measures": measures, "time": {"range": "last_90_days"},  # 0.1-0.3 s to compile, fast to run
             "filters": [{"field": "patient.source", "op": "not_in", "values": [f"s{i}" for i in range(500)]}]}
    with api_for(client_db_url) as client:
        client.app.state.settings = client.app.state.settings.model_copy(update={"compile_budget_ms": 20})
        refused = client.post("/api/query", json=heavy)
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["code"] == "limit_exceeded" and "too complex" in error["message"]
        assert client.post("/api/query", json={"measures": ["revenue"]}).status_code == 200
        client.app.state.settings = client.app.state.settings.model_copy(update={"compile_budget_ms": 20_000})
        assert client.post("/api/query", json=heavy).status_code == 200  # the same query, with time to compile


def _refuse() -> None:
    from semantic import QueryError

    raise QueryError("invalid_filter", "refused in the child", "filters[0]", ["x"])


class _Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:  # pickles as _Unpicklable(message): unpickling it fails
        super().__init__(f"{a} {b}")


def _raise_unpicklable() -> None:
    raise _Unpicklable(1, 2)


def _die() -> None:
    import os

    os._exit(3)


def test_the_compile_process_sends_refusals_back_and_survives_its_failures() -> None:
    from semantic import QueryError
    from service.process_lane import ChildError, ProcessLane

    lane = ProcessLane("test process", processes=1, queue=2, budget=0.5)

    async def go() -> None:
        with pytest.raises(QueryError) as refused:
            await lane.run(_refuse)
        assert (refused.value.code, refused.value.path) == ("invalid_filter", "filters[0]")
        with pytest.raises(ChildError):
            await lane.run(_raise_unpicklable)
        with pytest.raises(OverBudget):
            await lane.run(_spin, budget=0.1)
        assert await lane.run(sum, [1, 2, 3]) == 6  # the pool is whole after all of that
        with pytest.raises(ApiError) as busy:
            await lane.run(_die)  # the child dies: a retryable 503, and the next call gets a new child
        assert busy.value.code == "server_busy" and busy.value.retryable is True
        assert await lane.run(sum, [4, 5]) == 9

    try:
        asyncio.run(go())
    finally:
        lane.reset()
