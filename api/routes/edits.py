"""Edits: members, liaisons, party-organisation memberships, contact records, roster
uploads and accepted recommendations. Each route translates its request into a verb's call
(``api/verbs/edits.py``, ``api/verbs/loading.py``, ``api/verbs/recommend.py``): every
write goes through the loaders' checks and the write rule, and is one transaction with its
audit record; where two editors can collide, the caller sends the ETag it read
(``If-Match``) and a stale one is refused with 409."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Response, UploadFile
from fastapi import Path as PathParam
from liaison_graph.api.days import day_of
from liaison_graph.api.errors import ASKED, SCOPED, VERSIONED, WRITTEN, PreconditionRequired, fails
from liaison_graph.api.params import ETAG_HEADER, JSON
from liaison_graph.api.answers import AcceptOut, as_json
from liaison_graph.api.answers_ledger import AckAnswer, AckIn, PendingContactsOut
from liaison_graph.api.params import CommitteeQ
from liaison_graph.api.schemas import (
    ContactIn,
    ContactReviewIn,
    MassesContactIn,
    EndIn,
    ImportOut,
    LiaisonIn,
    LiaisonPatch,
    MemberIn,
    MemberPatch,
    MembershipEndIn,
    MembershipIn,
    RecommendIn,
    WriteOut,
)
from liaison_graph.api.service import CallerDep, EditorDep, PersonDep, ServiceDep
from liaison_graph.api.uploads import save_uploads
from liaison_graph.api.verbs import contacts, edits
from liaison_graph.api.verbs import digest as digesting
from liaison_graph.api.verbs.loading import load
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.recommend import accept
from liaison_graph.api.verbs.scope import Lock, Scope
from liaison_graph.graph.store import Store


router = APIRouter(tags=["edits"])

# Required (the schema says so); a request without it is answered 428 in the one error shape.
IfMatch = Annotated[str | None, Header(description="读取时得到的 ETag；与当前版本不符则 409", max_length=100)]
WRITE = fails(ASKED, SCOPED, WRITTEN)
CHANGE = fails(ASKED, SCOPED, WRITTEN, VERSIONED)


def tagged(status: int, errors: dict) -> dict:
    """An answer that carries the member's new version in an ``ETag`` header."""
    return {**errors, status: {"headers": ETAG_HEADER}}


def _tag(value: str | None) -> str:
    if value is None:
        raise PreconditionRequired("修改前请带上读取时得到的 ETag（请求头 If-Match），以免覆盖他人的修改")
    return value.strip().removeprefix("W/").strip('"')


def _versioned(response: Response, out: dict) -> dict:
    response.headers["ETag"] = f'"{out["etag"]}"'
    return out


@router.post("/members", status_code=201, response_model=WriteOut, operation_id="create_member",
             responses=tagged(201, WRITE), summary="新增委员")
def create_member(service: ServiceDep, caller: EditorDep, body: MemberIn, response: Response):
    out = edits.create_member(service.store, caller.bounds, body.model_dump(exclude_none=True), lock=service.lock)
    return _versioned(response, out)


@router.patch("/members/{member_id}", response_model=WriteOut, operation_id="update_member",
              responses=tagged(200, CHANGE), summary="修改委员（须带 If-Match）")
def update_member(service: ServiceDep, caller: EditorDep, member_id: Annotated[str, PathParam(max_length=100)],
                  body: MemberPatch, response: Response, if_match: IfMatch = None):
    out = edits.update_member(service.store, caller.bounds, member_id, body.model_dump(exclude_unset=True),
                              _tag(if_match), lock=service.lock)
    return _versioned(response, out)


@router.post("/members/{member_id}/end", response_model=WriteOut, operation_id="end_member",
             responses=tagged(200, CHANGE), summary="结束委员任期（须带 If-Match）")
def end_member(service: ServiceDep, caller: EditorDep, member_id: Annotated[str, PathParam(max_length=100)],
               body: EndIn, response: Response, if_match: IfMatch = None):
    day = day_of(body.date, "date")
    out = edits.end_member(service.store, caller.bounds, member_id, day, _tag(if_match), lock=service.lock)
    return _versioned(response, out)


@router.post("/liaisons", status_code=201, response_model=WriteOut, operation_id="create_liaison", responses=WRITE,
             summary="新增联系")
def create_liaison(service: ServiceDep, caller: EditorDep, body: LiaisonIn):
    return edits.create_liaison(service.store, caller.bounds, body.model_dump(exclude_none=True), lock=service.lock)


@router.patch("/liaisons/{liaison_id}", response_model=WriteOut, operation_id="update_liaison", responses=CHANGE,
              summary="修改联系（结束日期、备注；须带 If-Match）")
def update_liaison(service: ServiceDep, caller: EditorDep, liaison_id: Annotated[str, PathParam(max_length=2000)],
                   body: LiaisonPatch, if_match: IfMatch = None):
    return edits.change_liaison(service.store, caller.bounds, liaison_id, body.model_dump(exclude_unset=True),
                                _tag(if_match), lock=service.lock)


@router.post("/liaisons/{liaison_id}/end", response_model=WriteOut, operation_id="end_liaison", responses=CHANGE,
             summary="结束联系（须带 If-Match）")
def end_liaison(service: ServiceDep, caller: EditorDep, liaison_id: Annotated[str, PathParam(max_length=2000)],
                body: EndIn, if_match: IfMatch = None):
    return edits.end_liaison(service.store, caller.bounds, liaison_id, body.date, _tag(if_match), lock=service.lock)


@router.post("/memberships", status_code=201, response_model=WriteOut, operation_id="create_membership",
             responses=WRITE, summary="编入党组织")
def create_membership(service: ServiceDep, caller: EditorDep, body: MembershipIn):
    start = day_of(body.start_date, "start_date") if body.start_date else None
    return edits.create_membership(service.store, caller.bounds, body.member_id, body.party_org_id, start,
                                   lock=service.lock)


@router.post("/memberships/end", response_model=WriteOut, operation_id="end_membership", responses=WRITE, summary="结束党组织关系")
def end_membership(service: ServiceDep, caller: EditorDep, body: MembershipEndIn):
    day = day_of(body.date, "date")
    return edits.end_membership(service.store, caller.bounds, body.member_id, body.party_org_id, day,
                                lock=service.lock)


@router.post("/contacts", status_code=201, response_model=WriteOut, operation_id="create_contact", responses=WRITE,
             summary="记录一次联系（谈心谈话、走访……）；委员本人的令牌只能记录本人所负责联系的")
def create_contact(service: ServiceDep, caller: PersonDep, body: ContactIn):
    if not caller.member:
        caller.require("editor")
    return edits.create_contact(service.store, caller.bounds, body.model_dump(exclude_none=True), lock=service.lock)


@router.post("/masses-contacts", status_code=201, response_model=WriteOut, operation_id="create_masses_contact",
             responses=WRITE, summary="记录委员联系界别群众的一次联系；委员本人的令牌只能记录本人的")
def create_masses_contact(service: ServiceDep, caller: PersonDep, body: MassesContactIn):
    if not caller.member:
        caller.require("editor")
    return edits.create_masses_contact(service.store, caller.bounds, body.model_dump(exclude_none=True),
                                       lock=service.lock)


@router.get("/contacts/pending", response_model=PendingContactsOut, operation_id="list_pending_contacts",
            responses=fails(ASKED, SCOPED), summary="委员本人记录、待确认的联系（本政协及其下级政协）")
def pending_contacts(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None) -> Any:
    return contacts.pending(service.store, caller.bounds, committee_id, lock=service.reading)


@router.post("/contacts/review", response_model=WriteOut, operation_id="review_contact", responses=WRITE,
             summary="确认（计入覆盖）或退回委员本人记录的联系")
def review_contact(service: ServiceDep, caller: EditorDep, body: ContactReviewIn):
    return contacts.review(service.store, caller.bounds, body.from_id, body.to_id, body.date, body.mode, body.accept,
                           person=body.person, lock=service.lock)


@router.post("/digest/ack", response_model=AckAnswer, operation_id="ack_digest_item", responses=WRITE,
             summary="确认动态摘要中的一项（按其 key），附备注")
def ack_digest_item(service: ServiceDep, caller: EditorDep, body: AckIn) -> Any:
    return digesting.ack(service.store, caller.bounds, body.key, body.note, body.committee_id, lock=service.lock)


@router.post("/imports", status_code=201, response_model=ImportOut, operation_id="upload_roster", responses=WRITE,
             summary="上传名单文件（.xlsx/.csv/.json，可多个）：全部通过校验才写入")
def upload(service: ServiceDep, caller: EditorDep,
           files: Annotated[list[UploadFile], File(description="名单文件；CSV 按表名命名，如 members.csv")],
           allow_move: Annotated[bool, Query(description="允许把已有的委员、党组织、活动移到本令牌范围内的另一个政协，"
                                                     "或调整下级政协的隶属关系（默认拒绝）")] = False) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_uploads(files, Path(tmp), service.max_upload_bytes)
        return Response(service.answer(upload_job, caller.bounds, paths, allow_move, writes=True), status_code=201,
                        media_type=JSON)


def upload_job(store: Store, lock: Lock, scope: Scope, paths: list[Path], allow_move: bool) -> bytes:
    """Uploaded files read, checked and written (a long job: ``Service.answer``), so that the
    serving process reads on while a large roster is imported."""
    return as_json(ImportOut, load(store, scope, paths, allow_move, lock=lock))


@router.post("/recommend/accept", status_code=201, response_model=AcceptOut, operation_id="accept_recommendation",
             responses=WRITE, summary="采纳推荐结对：一次写入（联系自统计日起），记入审计")
def accept_recommendation(service: ServiceDep, caller: EditorDep, body: RecommendIn) -> Any:
    return Response(service.answer(accept_job, caller.bounds, PolicyAsked(body.policy, body.policy_document),
                                   day_of(body.as_of), body.committee_id, writes=True),
                    status_code=201, media_type=JSON)


def accept_job(store: Store, lock: Lock, scope: Scope, policy: PolicyAsked, day: dt.date,
               committee_id: str | None) -> bytes:
    """The recommendation worked out and written (a long job: ``Service.answer``)."""
    done = accept(store, scope, policy, day, committee_id, lock=lock)
    result = done.recommendation
    return as_json(AcceptOut, {"cursor": done.cursor, "as_of": done.as_of, "policy": done.policy,
                               "items": len(result["items"]), "temporary_branches": len(result["temporary_branches"]),
                               "what_if": result["what_if"]})
