"""Edits: members, liaisons, party-organisation memberships, contact records and roster
uploads. Every write goes through the loaders' checks and is one transaction with its
audit record; where two editors can collide, the caller sends the ETag it read
(``If-Match``) and a stale one is refused with 409."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Path as PathParam, Query, Response, UploadFile

from liaison_graph.api.errors import PreconditionRequired
from liaison_graph.api.uploads import upload_name
from liaison_graph.api.routes.lookups import liaison_item, parse_liaison_id
from liaison_graph.api.schemas import (ContactIn, EndIn, ImportOut, LiaisonIn, LiaisonPatch, MemberIn, MemberPatch, MembershipEndIn,
                         MembershipIn, RecommendAcceptIn, WriteOut)
from liaison_graph.api.recommending import accept
from liaison_graph.api.service import EditorDep, ServiceDep, committee_of, day_of, owned, scope_for
from liaison_graph.graph.errors import BadArgument, Conflict, InputError, NotFound, TooLarge
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Audit, Batch, etag
from liaison_graph.graph.policy import builtin_policy
from liaison_graph.graph.recommend import run as run_recommend
from liaison_graph.graph.guard import check_write
from liaison_graph.graph.view import open_view
from liaison_graph.loaders import load_files, prepare_doc
from liaison_graph.loaders.text import fold_id
from liaison_graph.loaders.validate import check_extra_fields

router = APIRouter(tags=["edits"])

IfMatch = Annotated[str | None, Header(description="读取时得到的 ETag；与当前版本不符则 409", max_length=100)]
SOURCE = "请求"


def _rows(doc: dict, store) -> Batch:
    """Rows from a request body, checked as a roster file's rows are; faults name the field."""
    try:
        batch, _ = prepare_doc(doc, store, SOURCE)
    except InputError as exc:
        raise _field_error(exc) from None
    return batch


def _field_error(exc: InputError) -> BadArgument:
    """A request body's fault, naming its field."""
    field = exc.details.get("header") or exc.details.get("column")
    prefix = f"字段「{field}」：" if field else ""
    return BadArgument(prefix + exc.problem, field=field, value=exc.details.get("value"))


def _tag(value: str | None) -> str:
    if value is None:
        raise PreconditionRequired("修改前请带上读取时得到的 ETag（请求头 If-Match），以免覆盖他人的修改")
    return value.strip().removeprefix("W/").strip('"')


def _check_writes(caller, batch: Batch, store, moves: bool = False) -> list[str]:
    """The write rule (graph.guard), on the tree as it is before the write, for the caller's
    committee: the committees the write touches."""
    return check_write(store, batch, caller.token.committee_id, moves).committees


def _written(service, batch: Batch) -> int | None:
    return service.store.write(batch).cursor


def _member(service, caller, member_id: str) -> dict:
    return owned(service.store, caller, "Member", member_id)


@router.post("/members", status_code=201, response_model=WriteOut, summary="新增委员")
def create_member(service: ServiceDep, caller: EditorDep, body: MemberIn, response: Response):
    row = body.model_dump(exclude_none=True)
    row["id"], row["committee_id"] = fold_id(row["id"]), fold_id(row["committee_id"])  # as the loaders read ids
    caller.check_committee(row["committee_id"])
    with service.lock:
        if service.store.node_props("Member", [row["id"]]):
            raise Conflict(f"编号为「{row['id']}」的委员已存在", field="id", value=row["id"])
        batch = _rows({"members": [row]}, service.store)
        touched = _check_writes(caller, batch, service.store)
        after = batch.nodes["Member"][row["id"]]
        batch.expect[("Member", row["id"])] = None
        batch.audit = Audit(caller.actor, "member.create", touched, row["id"], None, after)
        cursor = _written(service, batch)
    response.headers["ETag"] = f'"{etag(after)}"'
    return {"cursor": cursor, "item": after, "etag": etag(after)}


def _update_member(service, caller, member_id: str, changes: dict, if_match: str | None, action: str) -> dict:
    wanted = _tag(if_match)
    with service.lock:
        current = _member(service, caller, member_id)
        if etag(current) != wanted:
            raise Conflict(f"委员「{member_id}」已被他人修改，请重新读取后再改", id=member_id)
        row = model().as_roster("members", current)  # what the stores keep left out; 中共预备党员 as written
        for key, value in changes.items():
            if key in ("id", "cpc"):
                continue
            if value is None:
                row.pop(key, None)
            else:
                row[key] = value
        caller.check_committee(row.get("committee_id"))
        batch = _rows({"members": [row]}, service.store)
        touched = sorted(set(_check_writes(caller, batch, service.store, moves=True)) | {current["committee_id"]})
        after = batch.nodes["Member"][member_id]
        batch.expect[("Member", member_id)] = wanted
        batch.audit = Audit(caller.actor, action, touched, member_id, current, after)
        cursor = _written(service, batch)
    return {"cursor": cursor, "item": after, "etag": etag(after)}


@router.patch("/members/{member_id}", response_model=WriteOut, summary="修改委员（须带 If-Match）")
def update_member(service: ServiceDep, caller: EditorDep, member_id: Annotated[str, PathParam(max_length=100)],
                  body: MemberPatch, response: Response, if_match: IfMatch = None):
    out = _update_member(service, caller, member_id, body.model_dump(exclude_unset=True), if_match, "member.update")
    response.headers["ETag"] = f'"{out["etag"]}"'
    return out


@router.post("/members/{member_id}/end", response_model=WriteOut, summary="结束委员任期（须带 If-Match）")
def end_member(service: ServiceDep, caller: EditorDep, member_id: Annotated[str, PathParam(max_length=100)],
               body: EndIn, response: Response, if_match: IfMatch = None):
    day = day_of(body.date, "date").isoformat()
    out = _update_member(service, caller, member_id, {"end_date": day}, if_match, "member.end")
    response.headers["ETag"] = f'"{out["etag"]}"'
    return out


@router.post("/liaisons", status_code=201, response_model=WriteOut, summary="新增联系")
def create_liaison(service: ServiceDep, caller: EditorDep, body: LiaisonIn):
    row = body.model_dump(exclude_none=True)
    with service.lock:
        _member(service, caller, row["from_id"])
        batch = _rows({"liaisons": [row]}, service.store)
        touched = _check_writes(caller, batch, service.store)
        (edge,) = batch.edges
        if service.store.edge_props(edge.kind, edge.src_kind, edge.src, edge.dst_kind, edge.dst, edge.key) is not None:
            raise Conflict("该联系已存在（同一联系人、对象、机制和开始日期）", field="to", value=row["to"])
        batch.audit = Audit(caller.actor, "liaison.create", touched, f"{edge.src}→{edge.dst}", None, edge.props)
        cursor = _written(service, batch)
    item = liaison_item(edge.src, edge.dst_kind, edge.dst, edge.key, edge.props)
    return {"cursor": cursor, "item": item, "etag": item["etag"]}


def _change_liaison(service, caller, lid: str, changes: dict, if_match: str | None, action: str) -> dict:
    wanted = _tag(if_match)
    src, dst_kind, dst, key = parse_liaison_id(lid)
    with service.lock:
        current = service.store.edge_props("LIAISES_WITH", "Member", src, dst_kind, dst, key)
        if current is None or committee_of(service.store, "Member", src) not in caller.scope:
            raise NotFound(f"找不到联系「{lid}」", id=lid)
        if etag(current) != wanted:
            raise Conflict("该联系已被他人修改，请重新读取后再改", id=lid)
        props = dict(current)
        for k, v in changes.items():
            if k in ("target_kind", "mechanism", "start_date"):
                continue
            if k == "end_date" and v is not None:
                v = day_of(v, "end_date").isoformat()
                if props.get("start_date") and v < props["start_date"]:
                    raise BadArgument("结束日期早于开始日期", field="end_date", value=v)
            if v is None:
                props.pop(k, None)
            else:
                props[k] = v if isinstance(v, (str, int, float, bool)) else str(v)
        try:
            check_extra_fields("liaisons", props, SOURCE)  # as a roster row's extra columns
        except InputError as exc:
            raise _field_error(exc) from None
        batch = Batch()
        batch.add_edge("LIAISES_WITH", "Member", src, dst_kind, dst, key, props)
        batch.expect[("LIAISES_WITH", "Member", src, dst_kind, dst, key)] = wanted
        touched = _check_writes(caller, batch, service.store)
        batch.audit = Audit(caller.actor, action, touched, f"{src}→{dst}", current, batch.edges[0].props)
        cursor = _written(service, batch)
    item = liaison_item(src, dst_kind, dst, key, batch.edges[0].props)
    return {"cursor": cursor, "item": item, "etag": item["etag"]}


@router.patch("/liaisons/{liaison_id}", response_model=WriteOut, summary="修改联系（结束日期、备注；须带 If-Match）")
def update_liaison(service: ServiceDep, caller: EditorDep, liaison_id: Annotated[str, PathParam(max_length=2000)],
                   body: LiaisonPatch, if_match: IfMatch = None):
    return _change_liaison(service, caller, liaison_id, body.model_dump(exclude_unset=True), if_match, "liaison.update")


@router.post("/liaisons/{liaison_id}/end", response_model=WriteOut, summary="结束联系（须带 If-Match）")
def end_liaison(service: ServiceDep, caller: EditorDep, liaison_id: Annotated[str, PathParam(max_length=2000)],
                body: EndIn, if_match: IfMatch = None):
    return _change_liaison(service, caller, liaison_id, {"end_date": body.date}, if_match, "liaison.end")


def _org(service, caller, org_id: str) -> dict:
    return owned(service.store, caller, "PartyOrg", org_id)


@router.post("/memberships", status_code=201, response_model=WriteOut, summary="编入党组织")
def create_membership(service: ServiceDep, caller: EditorDep, body: MembershipIn):
    start = day_of(body.start_date, "start_date").isoformat() if body.start_date else None
    with service.lock:
        member = _member(service, caller, body.member_id)
        _org(service, caller, body.party_org_id)
        current = service.store.edge_props("IN_PARTY_ORG", "Member", body.member_id, "PartyOrg", body.party_org_id, "")
        if current is not None and not current.get("end_date"):
            raise Conflict(f"委员「{body.member_id}」已在党组织「{body.party_org_id}」中", field="party_org_id",
                           value=body.party_org_id)
        batch = Batch()
        orgs = list(dict.fromkeys([*(member.get("party_org_ids") or []), body.party_org_id]))
        batch.add_node("Member", body.member_id, {**member, "party_org_ids": orgs})
        batch.add_edge("IN_PARTY_ORG", "Member", body.member_id, "PartyOrg", body.party_org_id, "", {"start_date": start})
        touched = _check_writes(caller, batch, service.store)
        batch.audit = Audit(caller.actor, "membership.create", touched, f"{body.member_id}→{body.party_org_id}",
                            current, batch.edges[0].props)
        cursor = _written(service, batch)
    return {"cursor": cursor, "item": {"member_id": body.member_id, "party_org_id": body.party_org_id,
                                       **batch.edges[0].props}}


@router.post("/memberships/end", response_model=WriteOut, summary="结束党组织关系")
def end_membership(service: ServiceDep, caller: EditorDep, body: MembershipEndIn):
    day = day_of(body.date, "date").isoformat()
    with service.lock:
        _member(service, caller, body.member_id)
        _org(service, caller, body.party_org_id)
        current = service.store.edge_props("IN_PARTY_ORG", "Member", body.member_id, "PartyOrg", body.party_org_id, "")
        if current is None:
            raise NotFound(f"委员「{body.member_id}」不在党组织「{body.party_org_id}」中", field="party_org_id",
                           value=body.party_org_id)
        if current.get("start_date") and day < current["start_date"]:
            raise BadArgument("结束日期早于编入日期", field="date", value=day)
        batch = Batch()
        batch.add_edge("IN_PARTY_ORG", "Member", body.member_id, "PartyOrg", body.party_org_id, "", {**current, "end_date": day})
        touched = _check_writes(caller, batch, service.store)
        batch.audit = Audit(caller.actor, "membership.end", touched, f"{body.member_id}→{body.party_org_id}",
                            current, batch.edges[0].props)
        cursor = _written(service, batch)
    return {"cursor": cursor, "item": {"member_id": body.member_id, "party_org_id": body.party_org_id,
                                       **batch.edges[0].props}}


@router.post("/contacts", status_code=201, response_model=WriteOut, summary="记录一次联系（谈心谈话、走访……）")
def create_contact(service: ServiceDep, caller: EditorDep, body: ContactIn):
    row = body.model_dump(exclude_none=True)
    with service.lock:
        _member(service, caller, row["from_id"])
        _member(service, caller, row["to_id"])
        batch = _rows({"contacts": [row]}, service.store)
        touched = _check_writes(caller, batch, service.store)
        (edge,) = batch.edges
        batch.audit = Audit(caller.actor, "contact.create", touched, f"{edge.src}→{edge.dst}", None, edge.props)
        cursor = _written(service, batch)
    return {"cursor": cursor, "item": {"from_id": edge.src, "to_id": edge.dst, **edge.props}}


@router.post("/imports", status_code=201, response_model=ImportOut,
             summary="上传名单文件（.xlsx/.csv/.json，可多个）：全部通过校验才写入")
def upload(service: ServiceDep, caller: EditorDep,
           files: Annotated[list[UploadFile], File(description="名单文件；CSV 按表名命名，如 members.csv")],
           allow_move: Annotated[bool, Query(description="允许把已有的委员、党组织、活动移到本令牌范围内的另一个政协，"
                                                     "或调整下级政协的隶属关系（默认拒绝）")] = False) -> dict[str, Any]:
    if not files:
        raise BadArgument("没有上传文件", field="files")
    with tempfile.TemporaryDirectory() as tmp:
        paths, budget = [], service.max_upload_bytes
        for i, f in enumerate(files):
            name = upload_name(f.filename, i)
            data = f.file.read(budget + 1)
            budget -= len(data)
            if budget < 0:
                raise TooLarge(f"上传文件过大（合计上限 {service.max_upload_bytes // (1024 * 1024)} MB）", field="files",
                               value=name)
            folder = Path(tmp) / str(i)  # the same name twice stays two files
            folder.mkdir()
            path = folder / name
            path.write_bytes(data)
            paths.append(path)
        with service.lock:
            report = load_files(paths, service.store, caller.actor, caller.token.committee_id, allow_move)
    return {"files": report.files, "rows": report.rows, "created": report.result.created,
            "updated": report.result.updated, "ignored": report.ignored, "cursor": report.result.cursor}


@router.post("/recommend/accept", status_code=201, summary="采纳推荐结对：一次写入（联系自统计日起），记入审计")
def accept_recommendation(service: ServiceDep, caller: EditorDep, body: RecommendAcceptIn) -> dict[str, Any]:
    chosen = builtin_policy(body.policy)
    day = day_of(body.as_of)
    root = scope_for(caller, body.committee_id)
    with service.lock:
        view = open_view(service.store, day, root)
        result = run_recommend(view, chosen)
        written = accept(service.store, view, result, chosen, caller.actor, caller.token.committee_id)
    return {"cursor": written.cursor if written else None, "as_of": day.isoformat(), "policy": chosen.name,
            "items": len(result["items"]), "temporary_branches": len(result["temporary_branches"]),
            "what_if": result["what_if"]}
