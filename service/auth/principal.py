"""Who is asking: a signed-in user, an API key, or the local command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["front_desk", "manager", "agent"]


@dataclass(frozen=True)
class Principal:
    actor: str  # a username, "key:<name>", or "local"
    role: Role
    kind: Literal["user", "api_key", "local"]
    session_token_hash: str | None = None


LOCAL_MANAGER = Principal(actor="local", role="manager", kind="local")
LOCAL_AGENT = Principal(actor="local-agent", role="agent", kind="local")
