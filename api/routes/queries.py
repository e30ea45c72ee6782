"""The questions: the two gaps, coverage by policy, reach, why, diff, diagnostics, stats,
recommendations. Each route translates its parameters into a verb's call
(``api/verbs/questions.py``, ``api/verbs/recommend.py``) for the caller's scope.

A question asked under a liaison system takes a built-in policy by name (GET, ``policy=``)
or, as POST with a JSON body, the caller's own policy document (``policy_document``), as
the command line takes a ``--policy`` file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from liaison_graph.api.auth import Caller
from liaison_graph.api.bodies import gaps_body
from liaison_graph.api.days import day_of
from liaison_graph.api.params import AS_OF_MAX, XLSX, AsOf, By, CommitteeQ, PolicyQ, Window
from liaison_graph.api.report_xlsx import write_coverage_xlsx
from liaison_graph.api.schemas import CoverageIn, GapsOut, PolicyIn, RecommendIn
from liaison_graph.api.service import CallerDep, Service, ServiceDep
from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs import recommend as recommending
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.policies import policies as builtin_policies
from liaison_graph.graph.flagship import RULES

router = APIRouter(tags=["queries"])
XLSX_ANSWER = {200: {"content": {XLSX: {}}}}


def asked(body: PolicyIn) -> PolicyAsked:
    return PolicyAsked(body.policy, body.policy_document)


@router.get("/gaps/{rule}", response_model=GapsOut, summary="两个全覆盖的缺口（与命令行 gaps --format json 相同）")
async def gaps(service: ServiceDep, caller: CallerDep,
               rule: Annotated[str, PathParam(description="、".join(RULES), max_length=100)],
               as_of: AsOf = None, committee_id: CommitteeQ = None):
    return Response(gaps_body(service, caller, rule, as_of, committee_id), media_type="application/json")


@router.get("/policies", summary="内置联系制度（政策）及其规则")
def policies(caller: CallerDep) -> list[dict[str, Any]]:
    return builtin_policies()


def _coverage(service: Service, caller: Caller, policy: PolicyAsked, as_of: str | None, committee_id: str | None,
              by: str | None, window: int | None) -> dict:
    return questions.coverage(service.store, caller.bounds, policy, day_of(as_of), committee_id, by, window,
                              lock=service.lock)


@router.get("/coverage", summary="按政策统计覆盖率（名义与有效）、未覆盖名单、分组、联系数量、沉寂联系")
def coverage(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, by: By | None = None, as_of: AsOf = None,
             committee_id: CommitteeQ = None, window: Window = None) -> dict[str, Any]:
    return _coverage(service, caller, PolicyAsked(policy), as_of, committee_id, by, window)


@router.post("/coverage", summary="按政策统计覆盖率，政策可以是请求中的自定义政策文件（policy_document）")
def coverage_of(service: ServiceDep, caller: CallerDep, body: CoverageIn) -> dict[str, Any]:
    return _coverage(service, caller, asked(body), body.as_of, body.committee_id, body.by, body.window)


@router.get("/coverage/counts", summary="两个全覆盖按政协的覆盖数字（名义覆盖；由库中维护的索引直接给出，不建图）")
def coverage_counts(service: ServiceDep, caller: CallerDep, as_of: AsOf = None,
                    committee_id: CommitteeQ = None) -> dict[str, Any]:
    return questions.coverage_counts(service.store, caller.bounds, day_of(as_of), committee_id, lock=service.lock)


def _workbook(result: dict) -> Response:
    with tempfile.TemporaryDirectory() as tmp:
        data = write_coverage_xlsx(result, Path(tmp) / "coverage.xlsx").read_bytes()
    name = f"coverage-{result['policy']}-{result['as_of']}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/coverage.xlsx", summary="覆盖情况 Excel 报告（可打印归档）", response_class=Response, responses=XLSX_ANSWER)
def coverage_xlsx(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, by: By | None = None,
                  as_of: AsOf = None, committee_id: CommitteeQ = None, window: Window = None):
    return _workbook(_coverage(service, caller, PolicyAsked(policy), as_of, committee_id, by, window))


@router.post("/coverage.xlsx", summary="覆盖情况 Excel 报告，政策可以是请求中的自定义政策文件", response_class=Response,
             responses=XLSX_ANSWER)
def coverage_xlsx_of(service: ServiceDep, caller: CallerDep, body: CoverageIn):
    return _workbook(_coverage(service, caller, asked(body), body.as_of, body.committee_id, body.by, body.window))


@router.get("/reach/{node_id}", summary="K 步联系之内党的工作可达的委员、界别和组织")
def reach(service: ServiceDep, caller: CallerDep, node_id: Annotated[str, PathParam(max_length=100)],
          hops: Annotated[int, Query(ge=1, le=10)] = 2, as_of: AsOf = None) -> dict[str, Any]:
    return questions.reach(service.store, caller.bounds, node_id, hops, day_of(as_of), lock=service.lock)


@router.get("/why/{member_id}", summary="一名委员为什么被覆盖，或为什么没有")
def why(service: ServiceDep, caller: CallerDep, member_id: Annotated[str, PathParam(max_length=100)],
        as_of: AsOf = None) -> dict[str, Any]:
    return questions.why(service.store, caller.bounds, member_id, day_of(as_of), lock=service.lock)


@router.get("/diff", summary="两天之间覆盖缺口的变化及原因")
def diff(service: ServiceDep, caller: CallerDep,
         from_: Annotated[str, Query(alias="from", max_length=AS_OF_MAX, description="起始日")],
         to: AsOf = None, committee_id: CommitteeQ = None) -> dict[str, Any]:
    return questions.diff(service.store, caller.bounds, day_of(from_, "from"), day_of(to, "to"), committee_id,
                          lock=service.lock)


@router.get("/network", summary="联系网络诊断：联系数、关键联络人、孤立委员、界别矩阵")
def network(service: ServiceDep, caller: CallerDep, as_of: AsOf = None, committee_id: CommitteeQ = None,
            top: Annotated[int, Query(ge=1, le=1000)] = 10) -> dict[str, Any]:
    return questions.network(service.store, caller.bounds, day_of(as_of), committee_id, top, lock=service.lock)


@router.get("/stats", summary="各类数量（令牌所属政协或所问政协，含其下级政协；与命令行 stats 相同）")
def stats(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None) -> dict[str, int]:
    return questions.stats(service.store, caller.bounds, committee_id, lock=service.lock)


def _recommend(service: Service, caller: Caller, policy: PolicyAsked, as_of: str | None,
               committee_id: str | None) -> dict:
    return recommending.recommend(service.store, caller.bounds, policy, day_of(as_of), committee_id, lock=service.lock)


@router.get("/recommend", summary="推荐结对（未覆盖者的联系人、编入的党组织、临时党支部）及采纳后的覆盖率")
def recommend(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, as_of: AsOf = None,
              committee_id: CommitteeQ = None) -> dict[str, Any]:
    return _recommend(service, caller, PolicyAsked(policy), as_of, committee_id)


@router.post("/recommend", summary="推荐结对，政策可以是请求中的自定义政策文件（policy_document）")
def recommend_of(service: ServiceDep, caller: CallerDep, body: RecommendIn) -> dict[str, Any]:
    return _recommend(service, caller, asked(body), body.as_of, body.committee_id)
