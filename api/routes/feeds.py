"""Feeds for other tools: the graph as node-link JSON, GraphML or GEXF; roster tables as
CSV or XLSX (in the roster format, so they load back); the change feed; the audit trail.
What is exported is the verbs' (``api/verbs/exports.py``); how it is written, ``api/formats.py``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from liaison_graph.api.formats import CSV_ENCODINGS, GRAPH_MEDIA, XLSX, graph_bytes, table_csv, table_xlsx
from liaison_graph.api.schemas import AuditItem, ChangesOut, Page
from liaison_graph.api.service import AdminDep, CallerDep, ServiceDep
from liaison_graph.api.verbs import exports
from liaison_graph.api.verbs.exports import TABLES
from liaison_graph.api.verbs.scope import Lock, Scope
from liaison_graph.graph.store import Store

router = APIRouter(tags=["feeds"])

CommitteeQ = Annotated[str | None, Query(description="政协编号（含其下级政协；默认令牌所属政协）", max_length=100)]


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get("/export/graph", summary="图：node-link JSON、GraphML 或 GEXF（Gephi）", operation_id="export_graph",
            response_class=Response,
            responses={200: {"content": {media: ({"schema": {"type": "object", "additionalProperties": True}}
                                                 if fmt == "node-link" else BINARY)
                                         for fmt, media in GRAPH_MEDIA.items()}}})
def graph_feed(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None,
               format: Literal["node-link", "graphml", "gexf"] = "node-link"):
    headers = {} if format == "node-link" else {"Content-Disposition": f'attachment; filename="liaison-graph.{format}"'}
    return Response(service.answer(graph_job, caller.bounds, committee_id, format), media_type=GRAPH_MEDIA[format],
                    headers=headers)


def graph_job(store: Store, lock: Lock, scope: Scope, committee_id: str | None, fmt: str) -> bytes:
    """The graph written in a format (a long question's job: ``Service.answer``)."""
    return graph_bytes(exports.graph(store, scope, committee_id, lock=lock), fmt)


@router.get("/export/tables/{table}", summary="名单表（与导入格式相同）：CSV 或 XLSX", operation_id="export_table",
            response_class=Response, responses={200: {"content": {"text/csv": BINARY, XLSX: BINARY}}})
def table_feed(service: ServiceDep, caller: CallerDep,
               table: Annotated[Literal[TABLES], PathParam()],
               committee_id: CommitteeQ = None,
               format: Annotated[Literal["csv", "xlsx"], Query(description="csv 或 xlsx")] = "csv",
               encoding: Annotated[Literal[CSV_ENCODINGS], Query(
                   description="CSV 的编码：utf-8（带 BOM，默认）或 gb18030（供只认 GBK/GB18030 的旧系统导入）")] = "utf-8"):
    attachment = {"Content-Disposition": f'attachment; filename="{table}.{format}"'}
    data = service.answer(table_job, caller.bounds, table, committee_id, format, encoding)
    if format == "csv":
        return Response(data, media_type=f"text/csv; charset={encoding}", headers=attachment)
    return Response(data, media_type=XLSX, headers=attachment)


def table_job(store: Store, lock: Lock, scope: Scope, table: str, committee_id: str | None, fmt: str,
              encoding: str) -> bytes:
    """A roster table written as CSV or a workbook (a long question's job: ``Service.answer``)."""
    rows = exports.table(store, scope, table, committee_id, lock=lock)
    return table_csv(rows, encoding) if fmt == "csv" else table_xlsx(rows)


@router.get("/changes", response_model=ChangesOut, summary="变更流：自游标 since 之后的写入（按政协，令牌范围内）",
            operation_id="list_changes")
def changes(service: ServiceDep, caller: CallerDep,
            since: Annotated[int, Query(ge=0, le=2**62, description="上次得到的 next；0 为从头")] = 0,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    return exports.changes(service.store, caller.bounds, since, limit, lock=service.reading)


@router.get("/audit", response_model=Page[AuditItem], summary="审计记录（管理员；令牌范围内）", operation_id="list_audit",
            response_model_exclude_unset=True)
def audit(service: ServiceDep, caller: AdminDep,
          since: Annotated[int, Query(ge=0, le=2**62)] = 0,
          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    items = exports.audit(service.store, caller.bounds, since, limit, lock=service.reading)
    return {"total": len(items), "limit": limit, "offset": 0, "items": items}
