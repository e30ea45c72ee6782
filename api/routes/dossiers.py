"""The member's file (履职档案): one member's as JSON or a printed page, and a committee's
as one workbook (one sheet a member) — the verbs of ``api/verbs/dossier.py``, within the
caller's scope, worked out as a long question (``Service.answer``)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from liaison_graph.api.answers import as_json
from liaison_graph.api.answers_ledger import DossierOut
from liaison_graph.api.days import day_of
from liaison_graph.api.errors import ASKED, SCOPED, fails
from liaison_graph.api.params import JSON, XLSX, XLSX_ANSWER, AsOf, PolicyQ
from liaison_graph.api.service import CallerDep, ServiceDep
from liaison_graph.api.verbs import dossier as verbs
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import Lock, Scope
from liaison_graph.graph.store import Store

router = APIRouter(tags=["queries"])
READ = fails(ASKED, SCOPED)
FILE = fails(ASKED, SCOPED, answers={200: XLSX_ANSWER})
Year = Annotated[int | None, Query(ge=1949, le=9999, description="年度（默认截至日所在的年度）")]
Term = Annotated[bool, Query(description="按本届任期（任职开始至结束或截至日），不能与 year 同用")]
MemberP = Annotated[str, PathParam(max_length=100, description="委员编号或姓名")]


def _file(data: bytes, name: str) -> Response:
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def member_job(store: Store, lock: Lock, scope: Scope, member: str, policy: PolicyAsked, day: dt.date, term: bool,
               year: int | None, form: str) -> bytes:
    found = verbs.dossier(store, scope, member, policy, day, term, year, lock=lock)
    if form == "json":
        return as_json(DossierOut, found)
    from liaison_graph.api.dossier_xlsx import write_dossiers_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        unit = found.committees.get(found.root, {}).get("name", "")
        return write_dossiers_xlsx([found], unit, Path(tmp) / "dossier.xlsx").read_bytes()


@router.get("/members/{member_id}/dossier", response_model=DossierOut, operation_id="get_member_dossier",
            response_model_exclude_unset=True, responses=READ,
            summary="委员履职档案（年度或本届）：所在组织、联系与被联系、联系记录、联系界别群众、活动与出勤、覆盖缺口时段")
def dossier(service: ServiceDep, caller: CallerDep, member_id: MemberP, as_of: AsOf = None, year: Year = None,
            term: Term = False, policy: PolicyQ = None) -> Any:
    return Response(service.answer(member_job, caller.bounds, member_id, PolicyAsked(policy), day_of(as_of), term, year,
                                   "json"), media_type=JSON)


@router.get("/members/{member_id}/dossier.xlsx", operation_id="get_member_dossier_xlsx", responses=FILE,
            summary="委员履职档案的可打印 Excel（一页）")
def dossier_xlsx(service: ServiceDep, caller: CallerDep, member_id: MemberP, as_of: AsOf = None, year: Year = None,
                 term: Term = False, policy: PolicyQ = None) -> Response:
    day = day_of(as_of)
    data = service.answer(member_job, caller.bounds, member_id, PolicyAsked(policy), day, term, year, "xlsx")
    return _file(data, f"dossier-{day.isoformat()}.xlsx")


def committee_job(store: Store, lock: Lock, scope: Scope, committee_id: str, policy: PolicyAsked, day: dt.date,
                  term: bool, year: int | None) -> bytes:
    from liaison_graph.api.dossier_xlsx import write_dossiers_xlsx

    files = verbs.dossiers(store, scope, committee_id, policy, day, term, year, lock=lock)
    with tempfile.TemporaryDirectory() as tmp:
        unit = store.committees().get(files[0].root if files else committee_id, {}).get("name", "")
        return write_dossiers_xlsx(files, unit, Path(tmp) / "dossiers.xlsx").read_bytes()


@router.get("/committees/{committee_id}/dossiers.xlsx", operation_id="get_committee_dossiers_xlsx",
            responses=FILE, summary="一个政协全体在任委员的履职档案（一人一页，不含下级政协）")
def dossiers_xlsx(service: ServiceDep, caller: CallerDep,
                  committee_id: Annotated[str, PathParam(max_length=100, description="政协编号或名称")],
                  as_of: AsOf = None, year: Year = None, term: Term = False, policy: PolicyQ = None) -> Response:
    day = day_of(as_of)
    data = service.answer(committee_job, caller.bounds, committee_id, PolicyAsked(policy), day, term, year)
    return _file(data, f"dossiers-{day.isoformat()}.xlsx")
