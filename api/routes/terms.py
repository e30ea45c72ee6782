"""换届 (``api/verbs/terms.py``): the closings recorded (any reader of the committee), and
closing a term or opening the next with its roster (an admin's write, audited; ``dry_run``
answers what would change and writes nothing). Opening is a long job (``Service.answer``),
as an upload is."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from pydantic import BaseModel, Field

from liaison_graph.api.answers import as_json
from liaison_graph.api.answers_ledger import TermClosingOut, TermOpeningOut
from liaison_graph.api.days import day_of
from liaison_graph.api.errors import ASKED, SCOPED, WRITTEN, fails
from liaison_graph.api.params import JSON, CommitteeQ
from liaison_graph.api.schemas import DayIn
from liaison_graph.api.service import AdminDep, CallerDep, ServiceDep
from liaison_graph.api.uploads import save_uploads
from liaison_graph.api.verbs import terms as verbs
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import Lock, Scope
from liaison_graph.graph.store import Store

router = APIRouter(tags=["terms"])
READ = fails(ASKED, SCOPED)
WRITE = fails(ASKED, SCOPED, WRITTEN)


class TermCloseIn(BaseModel):
    committee_id: str = Field(min_length=1, max_length=100, description="换届的政协（编号或名称；不含下级政协）")
    date: DayIn = Field(description="届末日期：此后仍在进行的本届记录都以该日结束")
    policy: str | None = Field(None, max_length=100, description="届末覆盖情况按此政策计算（默认两个全覆盖）")
    dry_run: bool = Field(False, description="只返回将要发生的变化，不写入")


@router.get("/terms", response_model=list[TermClosingOut], operation_id="list_term_closings", responses=READ,
            response_model_exclude_unset=True, summary="历次换届：政协、届末日期、届次与届末覆盖情况")
def closings(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None) -> Any:
    return verbs.closings(service.store, caller.bounds, committee_id, lock=service.reading)


@router.post("/terms/close", response_model=TermClosingOut, operation_id="close_term", responses=WRITE,
             response_model_exclude_unset=True, summary="换届：结束本届仍在进行的任职、联系、任期性党组织，保存届末覆盖情况（管理员）")
def close(service: ServiceDep, caller: AdminDep, body: TermCloseIn) -> Any:
    return verbs.close(service.store, caller.bounds, body.committee_id, day_of(body.date, "date"), PolicyAsked(body.policy),
                       body.dry_run, lock=service.lock)


@router.post("/terms/open", response_model=TermOpeningOut, operation_id="open_term", responses=WRITE,
             summary="导入新一届名单（管理员）：连任、新任、离任的人员，待确认的连任记录")
def open_term(service: ServiceDep, caller: AdminDep,
              committee_id: Annotated[str, Form(min_length=1, max_length=100, description="新一届的政协（编号或名称）")],
              term: Annotated[str, Form(min_length=1, max_length=100, description="新一届的届次，如 第十一届")],
              files: Annotated[list[UploadFile], File(description="新一届的名单文件")],
              dry_run: Annotated[bool, Form(description="只返回将要发生的变化，不写入")] = False) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_uploads(files, Path(tmp), service.max_upload_bytes)
        return Response(service.answer(open_job, caller.bounds, committee_id, term, paths, dry_run, writes=not dry_run),
                        media_type=JSON)


def open_job(store: Store, lock: Lock, scope: Scope, committee_id: str, term: str, paths: list[Path], dry_run: bool) -> bytes:
    return as_json(TermOpeningOut, verbs.open_term(store, scope, committee_id, term, paths, dry_run, lock=lock))
