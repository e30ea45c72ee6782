"""Liveness and readiness, without a token."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from liaison_graph.api.errors import body
from liaison_graph.api.schemas import ErrorOut, HealthOut
from liaison_graph.api.service import ServiceDep
from liaison_graph.graph.errors import LiaisonError

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, summary="进程存活")
def healthz():
    return {"status": "ok"}


@router.get("/readyz", response_model=HealthOut, responses={503: {"model": ErrorOut}}, summary="库可用")
def readyz(service: ServiceDep):
    try:
        with service.reading:
            service.store.committees()
    except LiaisonError as exc:
        return JSONResponse(status_code=503, content=body(503, "unavailable", f"库不可用：{exc.message}"))
    return {"status": "ok"}
