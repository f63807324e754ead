"""GET /api/catalog: the semantic layer's members, for the dashboard, agents and people."""

from __future__ import annotations

from fastapi import APIRouter

from service.auth.deps import PrincipalDep
from service.deps import EngineDep, SettingsDep
from service.schemas.errors import ErrorBody
from service.services.query import scope_for
from service.services.query_catalog import catalog_info
from service.services.query_models import CatalogResponse

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/catalog", response_model=CatalogResponse, responses={401: {"model": ErrorBody},
                                                                   503: {"model": ErrorBody}})
async def catalog(engine: EngineDep, settings: SettingsDep, principal: PrincipalDep) -> CatalogResponse:
    """Every measure and dimension: labels, types, units, grains, PII flags, what each measure can be
    grouped by, the data's date span per time dimension and the as_of in force."""
    return await catalog_info(engine, settings, scope_for(principal.role))
