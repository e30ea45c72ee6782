"""Lookups: committees, members, sectors, party organisations and liaisons, with filters
and pagination, each limited to the caller's scope.

Every list and every detail is answered from the store's indexes (``graph/lookups.py``):
a page of nodes and its total through the committee index, a sector's counts through the
edges reaching it, a member's or an organisation's detail through that node's own edges
and their far ends. No route builds the graph of the caller's scope, so a national token's
first page costs about what a county's does."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from liaison_graph.api.days import day_of
from liaison_graph.api.liaisons import liaison_item
from liaison_graph.api.errors import ASKED, SCOPED, fails
from liaison_graph.api.params import DATE, ETAG_HEADER
from liaison_graph.api.answers import (
    CommitteeItem,
    CommitteeOut,
    LiaisonItem,
    MeOut,
    MemberItem,
    MemberOut,
    PartyOrgItem,
    PartyOrgOut,
    SectorItem,
)
from liaison_graph.api.schemas import Page
from liaison_graph.api.service import CallerDep, PersonDep, ServiceDep, owned, scope_for
from liaison_graph.api.verbs import lookups
from liaison_graph.api.verbs.names import committee_of, member_of
from liaison_graph.api.verbs.scope import within
from liaison_graph.graph.lookups import (
    LIAISON,
    LIAISON_SOURCE,
    SECTOR,
    LiaisonEnds,
    LiaisonFilter,
    NodeFilter,
    liaison_order,
)
from liaison_graph.graph.model import model
from liaison_graph.graph.batch import etag
from liaison_graph.graph.view import scope_of

router = APIRouter(tags=["lookups"])

Limit = Annotated[int, Query(ge=1, le=1000, description="每页条数")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="跳过条数")]
CommitteeQ = Annotated[str | None, Query(description="政协编号或名称（含其下级政协）", max_length=100)]
AsOf = Annotated[str | None, Query(description="只列出该日在任/有效的（YYYY-MM-DD）", max_length=40,
                                   json_schema_extra=DATE)]
READ = fails(ASKED, SCOPED)
OWN = {"response_model_exclude_unset": True}  # the models describe the stored rows; nothing is added
TARGET_KINDS = {"enum": list(model().node_codes)}

CONTACT = model().edge_tables()["contacts"]
IN_PARTY_ORG = {kind: edge for edge, kind in model().membership().items()}["PartyOrg"]
CODE_KINDS = model().node_codes  # a target kind's code -> its node kind


def page(total: int, items: list, limit: int, offset: int) -> dict:
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def _day(as_of: str | None) -> str | None:
    """The day a list is limited to (none when not asked); a malformed one is refused."""
    return day_of(as_of).isoformat() if as_of else None


def _scope(service, caller, committee_id: str | None) -> frozenset[str]:
    """The committees a list covers: the one asked for (in the caller's scope) or the
    token's own, and every committee below it. Called under the service's read guard."""
    return scope_of(service.store, scope_for(caller, committee_of(service.store, caller.bounds, committee_id)))[0]


@router.get("/me", response_model=MeOut, operation_id="get_me", responses=fails(ASKED),
            summary="当前令牌：所属政协、角色和可见范围")
def me(service: ServiceDep, caller: PersonDep) -> Any:
    t = caller.token
    mine = {}
    if t.member_id is not None:  # a member's own token: who they are, and whether their contacts wait
        with service.reading:
            props = service.store.node_props("Member", [t.member_id]).get(t.member_id) or {}
        mine = {"member_id": t.member_id, "member_name": props.get("name"), "confirm": t.confirm}
    return {"token_id": t.id, "committee_id": t.committee_id, "role": t.role, "name": t.name,
            "expires_at": t.expires_at, "scope": sorted(caller.scope), **mine}


@router.get("/committees", response_model=Page[CommitteeItem], operation_id="list_committees", responses=READ, **OWN,
            summary="政协（令牌范围内）")
def committees(service: ServiceDep, caller: CallerDep, limit: Limit = 100, offset: Offset = 0):
    with service.reading:
        all_committees = service.store.committees()
    ids = sorted(c for c in caller.scope if c in all_committees)
    return page(len(ids), [within(all_committees[c], caller.scope) for c in ids[offset:offset + limit]], limit, offset)


@router.get("/committees/{committee_id}", response_model=CommitteeOut, operation_id="get_committee", responses=READ,
            **OWN, summary="一个政协及其下级政协")
def committee(service: ServiceDep, caller: CallerDep,
              committee_id: Annotated[str, PathParam(max_length=100)]) -> Any:
    with service.reading:
        committee_id = committee_of(service.store, caller.bounds, committee_id)
        all_committees = service.store.committees()
    caller.check_owned(committee_id if committee_id in all_committees else None, "政协", committee_id)
    children = sorted(c for c, p in all_committees.items() if p.get("parent_id") == committee_id)
    return {**within(all_committees[committee_id], caller.scope), "children": children}


@router.get("/members", response_model=Page[MemberItem], operation_id="list_members", responses=READ, **OWN, summary="委员：按政协、界别、党派、活动组、专委会、姓名筛选")
def members(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None, as_of: AsOf = None,
            sector: Annotated[str | None, Query(max_length=100)] = None,
            cpc: Annotated[bool | None, Query(description="true：中共党员；false：党外")] = None,
            q: Annotated[str | None, Query(max_length=100, description="姓名包含或编号等于")] = None,
            activity_group: Annotated[str | None, Query(max_length=100)] = None,
            special_committee: Annotated[str | None, Query(max_length=100)] = None,
            limit: Limit = 100, offset: Offset = 0):
    # An empty text filter keeps everything, as an absent one does.
    where = NodeFilter(day=_day(as_of), sector=sector or None, cpc=cpc, q=q or None,
                       activity_group=activity_group or None, special_committee=special_committee or None)
    return lookups.members(service.store, caller.bounds, committee_id, where, limit, offset, lock=service.reading)


@router.get("/members/{member_id}", response_model=MemberOut, operation_id="get_member", **OWN,
            responses=fails(ASKED, SCOPED, answers={200: {"headers": ETAG_HEADER}}),
            summary="一名委员：属性、版本（ETag）、联系、所在党组织、联系记录")
def member(service: ServiceDep, caller: CallerDep, response: Response,
           member_id: Annotated[str, PathParam(max_length=100)]) -> Any:
    with service.reading:
        member_id = member_of(service.store, caller.bounds, member_id)
        node = ("Member", member_id)
        props = owned(service.store, caller, *node)
        edges, far = service.store.edges_around(*node, (LIAISON, IN_PARTY_ORG, CONTACT), (LIAISON, CONTACT))
    names = {end: p.get("name") for end, p in far.items()}
    names[node] = props.get("name")
    out_l, in_l, orgs, contacts = [], [], [], []
    for kind, src_kind, src, dst_kind, dst, key, data in edges:
        if (src_kind, src) == node:  # an edge the member has to itself is listed both ways, as it was
            org = far.get((dst_kind, dst), {})
            if kind == LIAISON:
                out_l.append((LiaisonEnds(src, dst_kind, dst, key, data.get("start_date"), None),
                              liaison_item(src, dst_kind, dst, key, data, names)))
            elif kind == IN_PARTY_ORG:
                orgs.append({"id": dst, "name": names.get((dst_kind, dst)), "kind": org.get("kind"),
                             "start_date": data.get("start_date"), "end_date": data.get("end_date"),
                             "org_start_date": org.get("start_date"), "org_end_date": org.get("end_date")})
            elif kind == CONTACT:
                contacts.append({"from_id": member_id, "to_id": dst, "to_name": names.get((dst_kind, dst)),
                                 "date": data.get("date"), "mode": data.get("mode"), "summary": data.get("summary")})
        if (dst_kind, dst) == node:
            if kind == LIAISON:
                in_l.append((LiaisonEnds(src, dst_kind, dst, key, data.get("start_date"), None),
                             liaison_item(src, dst_kind, dst, key, data, names)))
            elif kind == CONTACT:
                contacts.append({"from_id": src, "from_name": names.get((src_kind, src)), "to_id": member_id,
                                 "date": data.get("date"), "mode": data.get("mode"), "summary": data.get("summary")})
    tag = etag(props)
    response.headers["ETag"] = f'"{tag}"'
    return {"member": props, "etag": tag, "liaisons_out": _in_order(out_l), "liaisons_in": _in_order(in_l),
            "party_orgs": orgs, "contacts": sorted(contacts, key=lambda c: c["date"] or "", reverse=True)}


def _in_order(liaisons: list[tuple]) -> list[dict]:
    """Liaison items in the order of the list of liaisons."""
    return [item for _, item in sorted(liaisons, key=lambda pair: liaison_order(pair[0]))]


@router.get("/sectors", response_model=Page[SectorItem], operation_id="list_sectors", responses=READ, **OWN, summary="界别及其委员人数")
def sectors(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None,
            limit: Limit = 100, offset: Offset = 0):
    with service.reading:
        total, found = service.store.list_nodes(SECTOR, _scope(service, caller, committee_id), None, limit, offset)
        counts = service.store.sector_counts([s["id"] for s in found])
    items = [{"id": s["id"], "name": s.get("name"), "committee_id": s.get("committee_id"),
              "members": counts.get(s["id"], (0, 0))[0], "cpc_members": counts.get(s["id"], (0, 0))[1]} for s in found]
    return page(total, items, limit, offset)


@router.get("/party-orgs", response_model=Page[PartyOrgItem], operation_id="list_party_orgs", responses=READ, **OWN,
            summary="党组织")
def party_orgs(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None, as_of: AsOf = None,
               limit: Limit = 100, offset: Offset = 0):
    with service.reading:
        scope = _scope(service, caller, committee_id)
        total, items = service.store.list_nodes("PartyOrg", scope, NodeFilter(day=_day(as_of)), limit, offset)
    return page(total, items, limit, offset)


@router.get("/party-orgs/{org_id}", response_model=PartyOrgOut, operation_id="get_party_org", responses=READ, **OWN,
            summary="一个党组织及其成员")
def party_org(service: ServiceDep, caller: CallerDep, org_id: Annotated[str, PathParam(max_length=100)]) -> Any:
    with service.reading:
        props = owned(service.store, caller, "PartyOrg", org_id)
        edges, far = service.store.edges_around("PartyOrg", org_id, (), (IN_PARTY_ORG,))
    members_in = [{"id": src, "name": far.get((src_kind, src), {}).get("name"), "start_date": data.get("start_date"),
                   "end_date": data.get("end_date")} for _, src_kind, src, _, _, _, data in edges]
    return {"party_org": props, "members": sorted(members_in, key=lambda m: m["id"])}


@router.get("/liaisons", response_model=Page[LiaisonItem], operation_id="list_liaisons", responses=READ, **OWN,
            summary="联系关系")
def liaisons(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None, as_of: AsOf = None,
             member_id: Annotated[str | None, Query(max_length=100, description="联系人或联系对象")] = None,
             target_kind: Annotated[str | None, Query(max_length=40, description="member sector special_committee activity_group party_org",
                                                  json_schema_extra=TARGET_KINDS)] = None,
             limit: Limit = 100, offset: Offset = 0):
    target = CODE_KINDS.get(target_kind) if target_kind else None
    with service.reading:
        scope = _scope(service, caller, committee_id)
        day = _day(as_of)
        if target_kind and target is None:  # no liaison reaches a kind of no such code
            return page(0, [], limit, offset)
        # A liaison is the caller's when either end is: one from another committee into its
        # member (or sector, organisation …) is listed too, its far end by id and name.
        total, rows = service.store.list_liaisons(scope, LiaisonFilter(day, member_id or None, target), limit, offset)
    items = [liaison_item(r.src, r.dst_kind, r.dst, r.key, r.props,
                          {(LIAISON_SOURCE, r.src): r.src_name, (r.dst_kind, r.dst): r.dst_name}) for r in rows]
    return page(total, items, limit, offset)
