"""The questions: the two gaps, coverage by policy, reach, why, diff, diagnostics, stats,
recommendations. Each route translates its parameters into a verb's call
(``api/verbs/questions.py``, ``api/verbs/recommend.py``) for the caller's scope.

A question asked under a liaison system takes a built-in policy by name (GET, ``policy=``)
or, as POST with a JSON body, the caller's own policy document (``policy_document``), as
the command line takes a ``--policy`` file."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from liaison_graph.api.auth import Caller
from liaison_graph.api.bodies import gaps_body
from liaison_graph.api.days import day_of
from liaison_graph.api.errors import ASKED, SCOPED, fails
from liaison_graph.api.params import AS_OF_MAX, DATE, JSON, XLSX, XLSX_ANSWER, AsOf, By, CommitteeQ, PolicyQ, SpanQ, Window
from liaison_graph.graph.view import TREE
from liaison_graph.api.report_xlsx import write_coverage_xlsx, write_digest_xlsx
from liaison_graph.api.answers import (
    as_json,
    DiffOut,
    NetworkOut,
    PolicyOut,
    ReachOut,
    RecommendOut,
    StatsOut,
    WhyOut,
)
from liaison_graph.api.answers_coverage import CoverageCountsOut, CoverageOut
from liaison_graph.api.answers_ledger import AttendanceOut, DigestOut, DueOut
from liaison_graph.api.schemas import CoverageIn, GapsOut, PolicyIn, RecommendIn
from liaison_graph.api.service import CallerDep, PersonDep, Service, ServiceDep
from liaison_graph.api.verbs import digest as digesting
from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs import recommend as recommending
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.policies import policies as builtin_policies
from liaison_graph.api.verbs.scope import Lock, Scope
from liaison_graph.graph.flagship import RULES
from liaison_graph.graph.store import Store

XLSX_FORM = "xlsx"

router = APIRouter(tags=["queries"])
READ = fails(ASKED, SCOPED)
POSTED = fails(ASKED, SCOPED, (400, 413))  # a question with a JSON body
OWN = {"response_model_exclude_unset": True}  # the models describe the verbs' answers; nothing is added


def asked(body: PolicyIn) -> PolicyAsked:
    return PolicyAsked(body.policy, body.policy_document)


@router.get("/gaps/{rule}", response_model=GapsOut, operation_id="get_gaps", responses=READ, summary="两个全覆盖的缺口（与命令行 gaps --format json 相同）")
async def gaps(service: ServiceDep, caller: CallerDep,
               rule: Annotated[str, PathParam(description="、".join(RULES), max_length=100,
                                             json_schema_extra={"enum": list(RULES)})],
               as_of: AsOf = None, committee_id: CommitteeQ = None):
    return Response(await service.read(gaps_body, service, caller, rule, as_of, committee_id), media_type=JSON)


@router.get("/policies", response_model=list[PolicyOut], operation_id="list_policies", responses=fails(ASKED), **OWN,
            summary="内置联系制度（政策）及其规则")
def policies(caller: PersonDep) -> Any:
    return builtin_policies()


def coverage_job(store: Store, lock: Lock, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None,
                 by: str | None, window: int | None, span: str, form: str) -> tuple[bytes, str]:
    """A coverage report as its route sends it (a long question's job: ``Service.answer``):
    JSON, or the printed workbook with its file name."""
    result = questions.coverage(store, scope, policy, day, committee_id, by, window, span, lock=lock)
    if form == "xlsx":
        with tempfile.TemporaryDirectory() as tmp:
            data = write_coverage_xlsx(result, Path(tmp) / "coverage.xlsx").read_bytes()
        return data, f"coverage-{result['policy']}-{result['as_of']}.xlsx"
    return as_json(CoverageOut, result), ""


def _coverage(service: Service, caller: Caller, policy: PolicyAsked, as_of: str | None, committee_id: str | None,
              by: str | None, window: int | None, span: str = TREE, form: str = "json") -> Response:
    data, name = service.answer(coverage_job, caller.bounds, policy, day_of(as_of), committee_id, by, window, span,
                                form)
    if form == "xlsx":
        return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(data, media_type=JSON)


@router.get("/coverage", response_model=CoverageOut, operation_id="get_coverage", responses=READ, **OWN, summary="按政策统计覆盖率（名义与有效）、未覆盖名单、分组、联系数量、沉寂联系")
def coverage(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, by: By | None = None, as_of: AsOf = None,
             committee_id: CommitteeQ = None, window: Window = None, span: SpanQ = TREE) -> Any:
    return _coverage(service, caller, PolicyAsked(policy), as_of, committee_id, by, window, span)


@router.post("/coverage", response_model=CoverageOut, operation_id="post_coverage", responses=POSTED, **OWN,
             summary="按政策统计覆盖率，政策可以是请求中的自定义政策文件（policy_document）")
def coverage_of(service: ServiceDep, caller: CallerDep, body: CoverageIn) -> Any:
    return _coverage(service, caller, asked(body), body.as_of, body.committee_id, body.by, body.window, body.span)


@router.get("/coverage/counts", response_model=CoverageCountsOut, operation_id="get_coverage_counts", responses=READ,
            **OWN, summary="两个全覆盖按政协的覆盖数字（名义覆盖；由库中维护的索引直接给出，不建图）")
def coverage_counts(service: ServiceDep, caller: CallerDep, as_of: AsOf = None,
                    committee_id: CommitteeQ = None) -> Any:
    return questions.coverage_counts(service.store, caller.bounds, day_of(as_of), committee_id, lock=service.reading)


@router.get("/coverage.xlsx", summary="覆盖情况 Excel 报告（可打印归档）", response_class=Response,
            operation_id="get_coverage_xlsx", responses=fails(ASKED, SCOPED, answers={200: XLSX_ANSWER}))
def coverage_xlsx(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, by: By | None = None,
                  as_of: AsOf = None, committee_id: CommitteeQ = None, window: Window = None, span: SpanQ = TREE):
    return _coverage(service, caller, PolicyAsked(policy), as_of, committee_id, by, window, span, XLSX_FORM)


@router.post("/coverage.xlsx", summary="覆盖情况 Excel 报告，政策可以是请求中的自定义政策文件", response_class=Response,
             operation_id="post_coverage_xlsx", responses=fails(ASKED, SCOPED, (400, 413), answers={200: XLSX_ANSWER}))
def coverage_xlsx_of(service: ServiceDep, caller: CallerDep, body: CoverageIn):
    return _coverage(service, caller, asked(body), body.as_of, body.committee_id, body.by, body.window, body.span,
                     XLSX_FORM)


@router.get("/due", response_model=DueOut, operation_id="get_due", responses=READ, **OWN,
            summary="待联系：每条联系最近一次合乎要求的联系、下次应联系日、逾期天数，按联系人列出（委员本人的令牌：只列本人的）")
def due(service: ServiceDep, caller: PersonDep, policy: PolicyQ = None, as_of: AsOf = None,
        committee_id: CommitteeQ = None, window: Window = None, span: SpanQ = TREE,
        within: Annotated[int | None, Query(ge=0, le=3650, description="只列出此天数内到期（含已逾期）的联系")] = None) -> Any:
    return Response(service.answer(due_job, caller.bounds, PolicyAsked(policy), day_of(as_of), committee_id, within,
                                   window, span), media_type=JSON)


def due_job(store: Store, lock: Lock, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None,
            within: int | None, window: int | None, span: str) -> bytes:
    return as_json(DueOut, questions.due(store, scope, policy, day, committee_id, within, window, span, lock=lock))


@router.get("/attendance", response_model=AttendanceOut, operation_id="get_attendance", responses=READ, **OWN,
            summary="活动与出勤：当年活动的出席、请假、缺席（中共党员、党外委员、常委），按政协和委员活动组，及没有参加活动的委员")
def attendance(service: ServiceDep, caller: CallerDep, as_of: AsOf = None, committee_id: CommitteeQ = None,
               span: SpanQ = TREE, policy: PolicyQ = None) -> Any:
    return Response(service.answer(attendance_job, caller.bounds, day_of(as_of), committee_id, span, PolicyAsked(policy)),
                    media_type=JSON)


def attendance_job(store: Store, lock: Lock, scope: Scope, day: dt.date, committee_id: str | None, span: str,
                   policy: PolicyAsked) -> bytes:
    return as_json(AttendanceOut, questions.attendance(store, scope, day, committee_id, span, policy, lock=lock))


@router.get("/digest", response_model=DigestOut, operation_id="get_digest", responses=READ, **OWN,
            summary="动态摘要：自上一期（since 游标）以来的新增缺口、逾期和即将到期的联系、即将到期的临时党支部、尚无临时党支部的活动")
def digest(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, as_of: AsOf = None,
           committee_id: CommitteeQ = None,
           since: Annotated[str | None, Query(max_length=AS_OF_MAX, description="上一期摘要的 cursor（默认一周前）")] = None,
           ) -> Any:
    data, _ = service.answer(digest_job, caller.bounds, PolicyAsked(policy), day_of(as_of), committee_id, since, "json")
    return Response(data, media_type=JSON)


@router.get("/digest.xlsx", summary="动态摘要 Excel（可打印）", response_class=Response, operation_id="get_digest_xlsx",
            responses=fails(ASKED, SCOPED, answers={200: XLSX_ANSWER}))
def digest_xlsx(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, as_of: AsOf = None,
                committee_id: CommitteeQ = None,
                since: Annotated[str | None, Query(max_length=AS_OF_MAX, description="上一期摘要的 cursor")] = None):
    data, name = service.answer(digest_job, caller.bounds, PolicyAsked(policy), day_of(as_of), committee_id, since,
                                XLSX_FORM)
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def digest_job(store: Store, lock: Lock, scope: Scope, policy: PolicyAsked, day: dt.date, committee_id: str | None,
               since: str | None, form: str) -> tuple[bytes, str]:
    result = digesting.digest(store, scope, policy, day, committee_id, since, lock=lock)
    if form == XLSX_FORM:
        with tempfile.TemporaryDirectory() as tmp:
            return write_digest_xlsx(result, Path(tmp) / "digest.xlsx").read_bytes(), f"digest-{result['as_of']}.xlsx"
    return as_json(DigestOut, result), ""


@router.get("/reach/{node_id}", response_model=ReachOut, operation_id="get_reach", responses=READ, **OWN, summary="K 步联系之内党的工作可达的委员、界别和组织")
def reach(service: ServiceDep, caller: CallerDep, node_id: Annotated[str, PathParam(max_length=100)],
          hops: Annotated[int, Query(ge=1, le=10)] = 2, as_of: AsOf = None) -> Any:
    return questions.reach(service.store, caller.bounds, node_id, hops, day_of(as_of), lock=service.reading)


@router.get("/why/{member_id}", response_model=WhyOut, operation_id="get_why", responses=READ, **OWN, summary="一名委员为什么被覆盖，或为什么没有")
def why(service: ServiceDep, caller: CallerDep, member_id: Annotated[str, PathParam(max_length=100)],
        as_of: AsOf = None) -> Any:
    return questions.why(service.store, caller.bounds, member_id, day_of(as_of), lock=service.reading)


@router.get("/diff", response_model=DiffOut, operation_id="get_diff", responses=READ, **OWN, summary="两天之间覆盖缺口的变化及原因")
def diff(service: ServiceDep, caller: CallerDep,
         from_: Annotated[str, Query(alias="from", max_length=AS_OF_MAX, description="起始日",
                                        json_schema_extra=DATE)],
         to: AsOf = None, committee_id: CommitteeQ = None) -> Any:
    return Response(service.answer(diff_job, caller.bounds, day_of(from_, "from"), day_of(to, "to"), committee_id),
                    media_type=JSON)


def diff_job(store: Store, lock: Lock, scope: Scope, day_from: dt.date, day_to: dt.date, committee_id: str | None) -> bytes:
    return as_json(DiffOut, questions.diff(store, scope, day_from, day_to, committee_id, lock=lock))


@router.get("/network", response_model=NetworkOut, operation_id="get_network", responses=READ, **OWN, summary="联系网络诊断：联系数、关键联络人、孤立委员、界别矩阵")
def network(service: ServiceDep, caller: CallerDep, as_of: AsOf = None, committee_id: CommitteeQ = None,
            top: Annotated[int, Query(ge=1, le=1000)] = 10) -> Any:
    return Response(service.answer(network_job, caller.bounds, day_of(as_of), committee_id, top), media_type=JSON)


def network_job(store: Store, lock: Lock, scope: Scope, day: dt.date, committee_id: str | None, top: int) -> bytes:
    return as_json(NetworkOut, questions.network(store, scope, day, committee_id, top, lock=lock))


@router.get("/stats", response_model=StatsOut, operation_id="get_stats", responses=READ, **OWN, summary="各类数量（令牌所属政协或所问政协，含其下级政协；与命令行 stats 相同）")
def stats(service: ServiceDep, caller: CallerDep, committee_id: CommitteeQ = None) -> Any:
    return questions.stats(service.store, caller.bounds, committee_id, lock=service.reading)


def recommend_job(store: Store, lock: Lock, scope: Scope, policy: PolicyAsked, day: dt.date,
                  committee_id: str | None) -> bytes:
    return as_json(RecommendOut, recommending.recommend(store, scope, policy, day, committee_id, lock=lock))


def _recommend(service: Service, caller: Caller, policy: PolicyAsked, as_of: str | None,
               committee_id: str | None) -> Response:
    return Response(service.answer(recommend_job, caller.bounds, policy, day_of(as_of), committee_id),
                    media_type=JSON)


@router.get("/recommend", response_model=RecommendOut, operation_id="get_recommend", responses=READ, **OWN, summary="推荐结对（未覆盖者的联系人、编入的党组织、临时党支部）及采纳后的覆盖率")
def recommend(service: ServiceDep, caller: CallerDep, policy: PolicyQ = None, as_of: AsOf = None,
              committee_id: CommitteeQ = None) -> Any:
    return _recommend(service, caller, PolicyAsked(policy), as_of, committee_id)


@router.post("/recommend", response_model=RecommendOut, operation_id="post_recommend", responses=POSTED, **OWN,
             summary="推荐结对，政策可以是请求中的自定义政策文件（policy_document）")
def recommend_of(service: ServiceDep, caller: CallerDep, body: RecommendIn) -> Any:
    return _recommend(service, caller, asked(body), body.as_of, body.committee_id)
