"""The coverage report's answer models (``graph/coverage.py``'s report as the HTTP API
gives it), beside the other answers' (``api/answers.py``); its attendance section is that
of the attendance answer (``api/answers_ledger.py``)."""

from __future__ import annotations

from liaison_graph.api.answers import NodeRef
from liaison_graph.api.answers_ledger import AttendanceTally, CommitteeAttendanceOut, GroupAttendanceOut
from liaison_graph.api.schemas import Day, Open
from pydantic import Field


class Ratio(Open):
    label: str | None = None
    total: int
    covered: int
    ratio: float | None = None
    effective: int | None = None
    effective_ratio: float | None = None


class BreakdownOut(Open):
    key: str | None = Field(None, description="分组的编号：政协编号，或界别、专委会、委员活动组的编号（各政协各有其组）；（无）：不在任何组")
    name: str | None = None
    committee_id: str | None = Field(None, description="界别、专委会、委员活动组所属的政协")
    committee_name: str | None = None
    total: int
    covered: int
    ratio: float | None = None
    rollup_total: int | None = None
    rollup_covered: int | None = None
    rollup_ratio: float | None = None


class CoverageRuleOut(Ratio):
    id: str
    covers: str | None = None
    requirement: str | None = Field(None, description="联系有效的要求（方式、次数、周期，联系机制，是否须同一分组）")
    not_effective: dict[str, int] | None = Field(
        None, description="已覆盖但未有效的项数，按原因：too_few 次数不足、too_long_ago 联系过久、wrong_mode 方式不符、"
                          "no_contact 无联系记录、no_affinity 不在同一分组、wrong_mechanism 联系机制不符（一项取其最接近有效的联系的原因）")
    uncovered: list[NodeRef] = []
    breakdown: list[BreakdownOut] | None = None


class SectorGapOut(NodeRef):
    kind: str | None = None
    members: int | None = None


class QuietLiaisonOut(Open):
    from_id: str
    from_name: str | None = None
    to_id: str
    to_name: str | None = None
    committee_id: str | None = None
    mechanism: str | None = None
    last_contact: Day | None = None
    days_quiet: int | None = Field(None, description="自最近一次联系（从未联系则自联系开始）起的天数；两者都不详时为空，排在最前")


class CoverageAttendanceOut(Open):
    year_start: Day
    activities: int = Field(description="当年至截至日开始的本级及下级政协活动数")
    members: int = Field(description="截至日在任的委员数")
    total: dict[str, AttendanceTally] = Field(description="参加人次，按 cpc 中共党员、non_cpc 党外委员、standing 常委")
    by_committee: list[CommitteeAttendanceOut]
    by_group: list[GroupAttendanceOut]
    members_without_activity: list[NodeRef] = Field(description="当年没有参加任何活动的在任委员")


class CoverageOut(Open):
    policy: str
    label: str | None = None
    as_of: Day
    window_days: int | None = None
    committee_id: str | None = None
    span: str = "tree"  # own: the committee alone; tree: with those below it
    by: str | None = None
    headline: dict[str, Ratio] = {}
    rules: list[CoverageRuleOut]
    sectors_without_cpc: list[SectorGapOut] = []
    sectors_expected_without_cpc: list[SectorGapOut] = Field(
        [], description="同样没有中共党员委员、但按政策（sectors_expected_without_cpc）不要求有的界别，未列入 sectors_without_cpc")
    members_without_special_committee: list[NodeRef] = []
    quiet_liaisons: list[QuietLiaisonOut] = []
    attendance: CoverageAttendanceOut | None = Field(None, description="当年（1 月 1 日至截至日）本级及下级政协活动的参加情况")


class CountsRuleOut(Ratio):
    id: str
    breakdown: list[BreakdownOut] = []


class CoverageCountsOut(Open):
    policy: str
    label: str | None = None
    as_of: Day
    committee_id: str | None = None
    by: str | None = None
    rules: list[CountsRuleOut]
