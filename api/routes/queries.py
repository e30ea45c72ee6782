"""The questions: the two gaps, coverage by policy, reach, why, diff, diagnostics, stats."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path as PathParam, Query
from fastapi.responses import Response

from liaison_graph.api.report_xlsx import write_coverage_xlsx
from liaison_graph.api.schemas import GapsOut
from liaison_graph.api.auth import Caller
from liaison_graph.api.service import CallerDep, Service, ServiceDep, day_of, scope_for
from liaison_graph.graph.coverage import BREAKDOWNS, flagship_counts
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.policy import builtin, builtin_policy
from liaison_graph.graph.reach import REASONS, network as run_network, reach as run_reach, view_gaps, why as run_why
from liaison_graph.graph.reach import diff as run_diff
from liaison_graph.graph.recommend import run as run_recommend
from liaison_graph.graph.store import STAT_KEYS
from liaison_graph.graph.flagship import RULES, check_rule
from liaison_graph.graph.view import View, home_committee, open_view, scope_of

router = APIRouter(tags=["queries"])

AS_OF_MAX, COMMITTEE_MAX = 40, 100  # the longest values the query parameters take (api/fast.py holds to them too)
AsOf = Annotated[str | None, Query(description="统计日 YYYY-MM-DD（默认今天）", max_length=AS_OF_MAX)]
CommitteeQ = Annotated[str | None, Query(description="政协编号（须在令牌范围内；默认令牌所属政协）", max_length=COMMITTEE_MAX)]
By = Literal[tuple(BREAKDOWNS)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/gaps/{rule}", response_model=GapsOut, summary="两个全覆盖的缺口（与命令行 gaps --format json 相同）")
async def gaps(service: ServiceDep, caller: CallerDep,
         rule: Annotated[str, PathParam(description="、".join(RULES), max_length=100)],
         as_of: AsOf = None, committee_id: CommitteeQ = None):
    return Response(gaps_json(service, caller, rule, as_of, committee_id), media_type="application/json")


def gaps_json(service: Service, caller: Caller, rule: str, as_of: str | None, committee_id: str | None) -> bytes:
    """The gap list's body, encoded here (the shape is GapsOut, documented above): the
    busiest endpoint skips re-validation. The fast path (api/fast.py) answers with it too."""
    check_rule(rule)
    day = day_of(as_of)
    caller.check_committee(committee_id)
    with service.lock:
        if committee_id is not None:
            items = service.store.gaps(rule, day, committee_id)
        else:
            items = [i for i in service.store.gaps(rule, day, None) if i["committee_id"] in caller.scope]
    body = {"rule": rule, "as_of": day.isoformat(), "count": len(items), "items": items}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@router.get("/policies", summary="内置联系制度（政策）及其规则")
def policies(caller: CallerDep) -> list[dict[str, Any]]:
    return [{"name": p.name, "label": p.label, "aliases": list(p.aliases), "source": p.source,
             "window_days": p.window_days,
             "rules": [{"id": r.id, "label": r.label, "through": list(r.through),
                        "capacity": None if r.capacity is None else {"min": r.capacity[0], "max": r.capacity[1]},
                        "affinity": r.affinity} for r in p.rules]}
            for p in builtin().values()]


def _coverage(service, caller, policy, by, as_of, committee_id, window) -> dict:
    chosen = builtin_policy(policy)
    day = day_of(as_of)
    root = scope_for(caller, committee_id)
    with service.lock:
        return store_report(service.store, day, chosen, root, by=by, window_days=window)


@router.get("/coverage", summary="按政策统计覆盖率（名义与有效）、未覆盖名单、分组、联系数量、沉寂联系")
def coverage(service: ServiceDep, caller: CallerDep,
             policy: Annotated[str | None, Query(description="内置政策名称或中文名（默认两个全覆盖）", max_length=100)] = None,
             by: By | None = None, as_of: AsOf = None, committee_id: CommitteeQ = None,
             window: Annotated[int | None, Query(ge=0, le=3650, description="有效联系窗口天数")] = None) -> dict[str, Any]:
    return _coverage(service, caller, policy, by, as_of, committee_id, window)


@router.get("/coverage/counts", summary="两个全覆盖按政协的覆盖数字（名义覆盖；由库中维护的索引直接给出，不建图）")
def coverage_counts(service: ServiceDep, caller: CallerDep, as_of: AsOf = None,
                    committee_id: CommitteeQ = None) -> dict[str, Any]:
    day = day_of(as_of)
    root = scope_for(caller, committee_id)
    with service.lock:
        return flagship_counts(service.store, day, root)


@router.get("/coverage.xlsx", summary="覆盖情况 Excel 报告（可打印归档）",
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
def coverage_xlsx(service: ServiceDep, caller: CallerDep,
                  policy: Annotated[str | None, Query(max_length=100)] = None, by: By | None = None,
                  as_of: AsOf = None, committee_id: CommitteeQ = None,
                  window: Annotated[int | None, Query(ge=0, le=3650)] = None):
    result = _coverage(service, caller, policy, by, as_of, committee_id, window)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_coverage_xlsx(result, Path(tmp) / "coverage.xlsx")
        data = path.read_bytes()
    name = f"coverage-{result['policy']}-{result['as_of']}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _view_around(service, caller, node_id: str, day) -> View:
    """The view of the committee a member or organisation belongs to, if the caller sees it."""
    cid = home_committee(service.store, node_id)
    caller.check_owned(cid, "委员或党组织", node_id)
    return open_view(service.store, day, cid)


@router.get("/reach/{node_id}", summary="K 步联系之内党的工作可达的委员、界别和组织")
def reach(service: ServiceDep, caller: CallerDep, node_id: Annotated[str, PathParam(max_length=100)],
          hops: Annotated[int, Query(ge=1, le=10)] = 2, as_of: AsOf = None) -> dict[str, Any]:
    day = day_of(as_of)
    with service.lock:
        items = run_reach(_view_around(service, caller, node_id, day), node_id, hops, caller.scope)
    return {"from": node_id, "as_of": day.isoformat(), "hops": hops, "items": items}


@router.get("/why/{member_id}", summary="一名委员为什么被覆盖，或为什么没有")
def why(service: ServiceDep, caller: CallerDep, member_id: Annotated[str, PathParam(max_length=100)],
        as_of: AsOf = None) -> dict[str, Any]:
    day = day_of(as_of)
    with service.lock:
        return run_why(_view_around(service, caller, member_id, day), member_id, scope=caller.scope)


@router.get("/diff", summary="两天之间覆盖缺口的变化及原因")
def diff(service: ServiceDep, caller: CallerDep,
         from_: Annotated[str, Query(alias="from", max_length=40, description="起始日")],
         to: AsOf = None, committee_id: CommitteeQ = None) -> dict[str, Any]:
    d1, d2 = day_of(from_, "from"), day_of(to, "to")
    root = scope_for(caller, committee_id)
    with service.lock:
        scope, committees = scope_of(service.store, root)
        G = service.store.subgraph(scope)
    before, after = View(G, d1.isoformat(), scope, committees), View(G, d2.isoformat(), scope, committees)
    items = run_diff(before, after, view_gaps)
    return {"from": d1.isoformat(), "to": d2.isoformat(), "committee_id": root, "items": items,
            "reasons": REASONS}


@router.get("/network", summary="联系网络诊断：联系数、关键联络人、孤立委员、界别矩阵")
def network(service: ServiceDep, caller: CallerDep, as_of: AsOf = None, committee_id: CommitteeQ = None,
            top: Annotated[int, Query(ge=1, le=1000)] = 10) -> dict[str, Any]:
    day = day_of(as_of)
    root = scope_for(caller, committee_id)
    with service.lock:
        view = open_view(service.store, day, root)
    return run_network(view, top)


@router.get("/stats", summary="令牌范围内各类数量")
def stats(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None) -> dict[str, int]:
    root = scope_for(caller, committee_id)
    with service.lock:
        scope, _ = scope_of(service.store, root)
        G = service.store.subgraph(scope)
    counts = dict.fromkeys(STAT_KEYS, 0)
    kinds = {kind: key for key, kind in STAT_KEYS.items()}
    for _, data in G.nodes(data=True):
        if data.get("committee_id") in scope and data.get("node_kind") in kinds:
            counts[kinds[data["node_kind"]]] += 1
    for src, _, data in G.edges(data=True):
        if data["edge_kind"] in kinds and G.nodes[src].get("committee_id") in scope:
            counts[kinds[data["edge_kind"]]] += 1
    return counts


@router.get("/recommend", summary="推荐结对（未覆盖者的联系人、编入的党组织、临时党支部）及采纳后的覆盖率")
def recommend(service: ServiceDep, caller: CallerDep,
              policy: Annotated[str | None, Query(description="内置政策名称或中文名（默认两个全覆盖）", max_length=100)] = None,
              as_of: AsOf = None, committee_id: CommitteeQ = None) -> dict[str, Any]:
    chosen = builtin_policy(policy)
    day = day_of(as_of)
    root = scope_for(caller, committee_id)
    with service.lock:
        view = open_view(service.store, day, root)
    return run_recommend(view, chosen)
