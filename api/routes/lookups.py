"""Lookups: committees, members, sectors, party organisations and liaisons, with filters
and pagination, each limited to the caller's scope."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path as PathParam, Query, Response

from liaison_graph.api.schemas import Page
from liaison_graph.api.service import CallerDep, ServiceDep, day_of, owned, scope_for, within
from liaison_graph.graph.errors import NotFound
from liaison_graph.graph.store import etag, holds
from liaison_graph.graph.view import KIND_CODES, CODE_KINDS, scope_of

router = APIRouter(tags=["lookups"])

Limit = Annotated[int, Query(ge=1, le=1000, description="每页条数")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="跳过条数")]
CommitteeQ = Annotated[str | None, Query(description="政协编号（含其下级政协）", max_length=100)]
AsOf = Annotated[str | None, Query(description="只列出该日在任/有效的（YYYY-MM-DD）", max_length=40)]


def page(items: list, limit: int, offset: int) -> dict:
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


def liaison_id(src: str, dst_kind: str, dst: str, key: str) -> str:
    """An opaque, URL-safe id for a liaison edge."""
    raw = json.dumps([src, dst_kind, dst, key], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_liaison_id(text: str) -> tuple[str, str, str, str]:
    try:
        src, dst_kind, dst, key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not all(isinstance(x, str) for x in (src, dst_kind, dst, key)) or dst_kind not in KIND_CODES:
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError):
        raise NotFound(f"找不到联系「{text}」", id=text) from None
    return src, dst_kind, dst, key


def liaison_item(src: str, dst_kind: str, dst: str, key: str, props: dict, names: dict | None = None) -> dict:
    names = names or {}
    return {"liaison_id": liaison_id(src, dst_kind, dst, key), "from_id": src, "from_name": names.get(("Member", src)),
            "target_kind": KIND_CODES[dst_kind], "to_id": dst, "to_name": names.get((dst_kind, dst)),
            "mechanism": props.get("mechanism"), "start_date": props.get("start_date"),
            "end_date": props.get("end_date"), "etag": etag(props),
            "extra": {k: v for k, v in props.items() if k not in ("mechanism", "start_date", "end_date", "target_kind")}}


def _graph(service, caller, committee_id):
    root = scope_for(caller, committee_id)
    with service.lock:
        scope, committees = scope_of(service.store, root)
        return scope, committees, service.store.subgraph(scope)


def _owned(service, caller, kind: str, node_id: str):
    """A node the caller may see, with the graph of its committee (and those below it)."""
    with service.lock:
        props = owned(service.store, caller, kind, node_id)
        scope, _ = scope_of(service.store, props["committee_id"])
        return props, service.store.subgraph(scope)


@router.get("/me", summary="当前令牌：所属政协、角色和可见范围")
def me(caller: CallerDep) -> dict[str, Any]:
    t = caller.token
    return {"token_id": t.id, "committee_id": t.committee_id, "role": t.role, "name": t.name,
            "expires_at": t.expires_at, "scope": sorted(caller.scope)}


@router.get("/committees", response_model=Page, summary="政协（令牌范围内）")
def committees(service: ServiceDep, caller: CallerDep, limit: Limit = 100, offset: Offset = 0):
    with service.lock:
        all_committees = service.store.committees()
    items = [within(all_committees[c], caller.scope) for c in sorted(caller.scope) if c in all_committees]
    return page(items, limit, offset)


@router.get("/committees/{committee_id}", summary="一个政协及其下级政协")
def committee(service: ServiceDep, caller: CallerDep,
              committee_id: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
    with service.lock:
        all_committees = service.store.committees()
    caller.check_owned(committee_id if committee_id in all_committees else None, "政协", committee_id)
    children = sorted(c for c, p in all_committees.items() if p.get("parent_id") == committee_id)
    return {**within(all_committees[committee_id], caller.scope), "children": children}


def _members(G, scope, as_of, sector, cpc, q, activity_group, special_committee) -> list[dict]:
    day = day_of(as_of).isoformat() if as_of else None
    out = []
    for node, data in G.nodes(data=True):
        if node[0] != "Member" or data.get("committee_id") not in scope:
            continue
        if day and not holds(data, day):
            continue
        if sector and data.get("sector") != sector:
            continue
        if cpc is not None and bool(data.get("cpc")) != cpc:
            continue
        if q and q not in data.get("name", "") and q != data.get("id"):
            continue
        if activity_group and data.get("activity_group") != activity_group:
            continue
        if special_committee and special_committee not in (data.get("special_committees") or []):
            continue
        out.append({k: v for k, v in data.items() if k != "node_kind"})
    return sorted(out, key=lambda m: (m["committee_id"], m["id"]))


@router.get("/members", response_model=Page, summary="委员：按政协、界别、党派、活动组、专委会、姓名筛选")
def members(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None, as_of: AsOf = None,
            sector: Annotated[str | None, Query(max_length=100)] = None,
            cpc: Annotated[bool | None, Query(description="true：中共党员；false：党外")] = None,
            q: Annotated[str | None, Query(max_length=100, description="姓名包含或编号等于")] = None,
            activity_group: Annotated[str | None, Query(max_length=100)] = None,
            special_committee: Annotated[str | None, Query(max_length=100)] = None,
            limit: Limit = 100, offset: Offset = 0):
    scope, _, G = _graph(service, caller, committee_id)
    return page(_members(G, scope, as_of, sector, cpc, q, activity_group, special_committee), limit, offset)


@router.get("/members/{member_id}", summary="一名委员：属性、版本（ETag）、联系、所在党组织、联系记录")
def member(service: ServiceDep, caller: CallerDep, response: Response,
           member_id: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
    props, G = _owned(service, caller, "Member", member_id)
    node = ("Member", member_id)
    names = {n: d.get("name") for n, d in G.nodes(data=True)}
    out_l, in_l, orgs, contacts = [], [], [], []
    for _, dst, data in G.out_edges(node, data=True):
        kind = data["edge_kind"]
        props_e = {k: v for k, v in data.items() if k not in ("edge_kind",)}
        if kind == "LIAISES_WITH":
            out_l.append(liaison_item(member_id, dst[0], dst[1], _key(G, node, dst, data), props_e, names))
        elif kind == "IN_PARTY_ORG":
            orgs.append({"id": dst[1], "name": names.get(dst), "kind": G.nodes[dst].get("kind"),
                         "start_date": data.get("start_date"), "end_date": data.get("end_date"),
                         "org_start_date": G.nodes[dst].get("start_date"), "org_end_date": G.nodes[dst].get("end_date")})
        elif kind == "CONTACTED":
            contacts.append({"from_id": member_id, "to_id": dst[1], "to_name": names.get(dst), "date": data.get("date"),
                             "mode": data.get("mode"), "summary": data.get("summary")})
    for src, _, data in G.in_edges(node, data=True):
        kind = data["edge_kind"]
        if kind == "LIAISES_WITH":
            in_l.append(liaison_item(src[1], "Member", member_id, _key(G, src, node, data),
                                     {k: v for k, v in data.items() if k != "edge_kind"}, names))
        elif kind == "CONTACTED":
            contacts.append({"from_id": src[1], "from_name": names.get(src), "to_id": member_id, "date": data.get("date"),
                             "mode": data.get("mode"), "summary": data.get("summary")})
    tag = etag(props)
    response.headers["ETag"] = f'"{tag}"'
    return {"member": props, "etag": tag, "liaisons_out": out_l, "liaisons_in": in_l, "party_orgs": orgs,
            "contacts": sorted(contacts, key=lambda c: c["date"] or "", reverse=True)}


def _key(G, src, dst, data) -> str:
    for key, edge in G.get_edge_data(src, dst).items():
        if edge is data:
            return key[1]
    return ""


@router.get("/sectors", response_model=Page, summary="界别及其委员人数")
def sectors(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None,
            limit: Limit = 100, offset: Offset = 0):
    scope, _, G = _graph(service, caller, committee_id)
    items = []
    for node, data in G.nodes(data=True):
        if node[0] == "Sector" and data.get("committee_id") in scope:
            members_in = [s for s, _, d in G.in_edges(node, data=True) if d["edge_kind"] == "IN_SECTOR"]
            cpc = sum(1 for m in members_in if G.nodes[m].get("cpc"))
            items.append({"id": node[1], "name": data.get("name"), "committee_id": data.get("committee_id"),
                          "members": len(members_in), "cpc_members": cpc})
    return page(sorted(items, key=lambda s: (s["committee_id"], s["id"])), limit, offset)


@router.get("/party-orgs", response_model=Page, summary="党组织")
def party_orgs(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None, as_of: AsOf = None,
               limit: Limit = 100, offset: Offset = 0):
    scope, _, G = _graph(service, caller, committee_id)
    day = day_of(as_of).isoformat() if as_of else None
    items = [{k: v for k, v in d.items() if k != "node_kind"} for n, d in G.nodes(data=True)
             if n[0] == "PartyOrg" and d.get("committee_id") in scope and (day is None or holds(d, day))]
    return page(sorted(items, key=lambda o: (o["committee_id"], o["id"])), limit, offset)


@router.get("/party-orgs/{org_id}", summary="一个党组织及其成员")
def party_org(service: ServiceDep, caller: CallerDep, org_id: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
    props, G = _owned(service, caller, "PartyOrg", org_id)
    node = ("PartyOrg", org_id)
    members_in = [{"id": s[1], "name": G.nodes[s].get("name"), "start_date": d.get("start_date"),
                   "end_date": d.get("end_date")}
                  for s, _, d in G.in_edges(node, data=True) if d["edge_kind"] == "IN_PARTY_ORG"] if node in G else []
    return {"party_org": props, "members": sorted(members_in, key=lambda m: m["id"])}


@router.get("/liaisons", response_model=Page, summary="联系关系")
def liaisons(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None, as_of: AsOf = None,
             member_id: Annotated[str | None, Query(max_length=100, description="联系人或联系对象")] = None,
             target_kind: Annotated[str | None, Query(max_length=40, description="member sector special_committee activity_group party_org")] = None,
             limit: Limit = 100, offset: Offset = 0):
    scope, _, G = _graph(service, caller, committee_id)
    day = day_of(as_of).isoformat() if as_of else None
    names = {n: d.get("name") for n, d in G.nodes(data=True)}
    items = []
    for src, dst, key, data in G.edges(keys=True, data=True):
        # A liaison is the caller's when either end is: one from another committee into its
        # member (or sector, organisation …) is listed too, its far end by id and name.
        if data["edge_kind"] != "LIAISES_WITH" or (G.nodes[src].get("committee_id") not in scope
                                                   and G.nodes[dst].get("committee_id") not in scope):
            continue
        if day and not holds(data, day):
            continue
        if member_id and member_id not in (src[1], dst[1]):
            continue
        if target_kind and CODE_KINDS.get(target_kind) != dst[0]:
            continue
        items.append(liaison_item(src[1], dst[0], dst[1], key[1], {k: v for k, v in data.items() if k != "edge_kind"},
                                  names))
    items.sort(key=lambda i: (i["from_id"], i["target_kind"], i["to_id"], i["start_date"] or ""))
    return page(items, limit, offset)
