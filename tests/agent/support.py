"""Test helpers: a scripted OpenAI-compatible chat completions server on 127.0.0.1, catalog fixtures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = dict[str, Any]
Script = Callable[[dict[str, Any], int], Reply]


def tool_call_reply(name: str, arguments: dict[str, Any], call_id: str = "call_1") -> Reply:
    """A chat completion whose message asks for one tool call (OpenAI wire format)."""
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "model": "fake",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": None,
            "tool_calls": [{"id": call_id, "type": "function",
                            "function": {"name": name, "arguments": json.dumps(arguments)}}],
        }}],
    }


def final_reply(text: str) -> Reply:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "model": "fake",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
    }


class FakeLLM:
    """A real HTTP server speaking `POST /v1/chat/completions`; `script(request_body, n)` picks each reply.

    Every request body is kept in `requests` (so a test can see what the loop sent back).
    `delay` seconds are slept before each reply (a slow model).
    """

    def __init__(self, script: Script, *, delay: float = 0.0) -> None:
        self.script = script
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self.send_response(404)
                    self.end_headers()
                    return
                if fake.delay:
                    time.sleep(fake.delay)
                payload = json.dumps(fake.script(body, len(fake.requests) - 1)).encode()
                try:
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                    pass

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# A catalog shaped like `GET /api/catalog` (a few members of each kind), for tests that need no database.
FAKE_CATALOG: dict[str, Any] = {
    "as_of": "2025-11-26",
    "measures": [
        {"name": "revenue", "kind": "measure", "label": "Revenue", "type": "integer", "unit": "cents",
         "description": "Sum of paid payments' amounts, in cents.", "synonyms": ["sales", "income"],
         "time_dimension": "payment.paid_at",
         "groupable_by": ["patient.source", "patient.gender", "payment.method", "patient.name"]},
        {"name": "line_revenue", "kind": "measure", "label": "Revenue (by service line)", "type": "integer",
         "unit": "cents", "description": "Revenue split over service lines.", "synonyms": [],
         "groupable_by": ["service.name", "provider.name", "patient.source"]},
        {"name": "patient_count", "kind": "measure", "label": "Patients", "type": "integer", "unit": "count",
         "description": "Distinct patients.", "synonyms": ["clients"],
         "groupable_by": ["patient.source", "patient.gender", "patient.id"]},
        {"name": "cancellation_rate", "kind": "measure", "label": "Cancellation rate", "type": "number",
         "unit": "ratio", "description": "Cancelled / all appointments.", "synonyms": [],
         "groupable_by": ["appointment.status", "patient.source"]},
    ],
    "dimensions": [
        {"name": "patient.id", "kind": "dimension", "type": "string", "label": "Patient ID", "pii": True},
        {"name": "patient.name", "kind": "dimension", "type": "string", "label": "Patient name", "pii": True},
        {"name": "patient.search", "kind": "dimension", "type": "string", "pii": True, "filter_only": True},
        {"name": "patient.source", "kind": "dimension", "type": "string", "label": "Acquisition source",
         "synonyms": ["channel"], "pii": False},
        {"name": "patient.gender", "kind": "dimension", "type": "string", "label": "Gender", "pii": False},
        {"name": "payment.method", "kind": "dimension", "type": "string", "label": "Payment method"},
        {"name": "service.name", "kind": "dimension", "type": "string", "label": "Service",
         "synonyms": ["treatment"]},
        {"name": "provider.name", "kind": "dimension", "type": "string", "label": "Provider"},
        {"name": "appointment.status", "kind": "dimension", "type": "string", "label": "Appointment status"},
        {"name": "appointment.start_at", "kind": "time", "type": "time", "label": "Appointment start",
         "grains": ["day", "week", "month", "quarter", "year"],
         "span": {"min": "2024-12-15", "max": "2026-01-24"}},
        {"name": "payment.paid_at", "kind": "time", "type": "time", "label": "Paid at",
         "span": {"min": "2024-12-15", "max": "2025-11-26"}},
    ],
}


def as_agent(client: Any, key: str, method: str, path: str, **kwargs: Any) -> Any:
    """`client.request(...)` with only the agent key as credentials; the client's own cookies (a shared manager
    session) are set aside for the call and put back."""
    import httpx

    jar = client.cookies
    client.cookies = httpx.Cookies()
    try:
        return client.request(method, path, headers={"authorization": f"Bearer {key}"}, **kwargs)
    finally:
        client.cookies = jar
