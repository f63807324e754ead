"""Liveness and database reachability."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text

from service.deps import EngineDep

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(engine: EngineDep, response: Response) -> Health:
    try:
        async with asyncio.timeout(3):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:
        response.status_code = 503
        return Health(status="degraded", database="unreachable")
    return Health(status="ok", database="ok")
