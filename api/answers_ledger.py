"""The answers' models of the liaison ledger's routes: what is due (``GET /api/v1/due``), the
contacts waiting for the office's confirmation (``GET /api/v1/contacts/pending``), attendance,
the digest, and a member's file (``GET /api/v1/members/{id}/dossier``).
The other answers are ``api/answers.py``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from liaison_graph.api.answers import NodeRef
from liaison_graph.api.schemas import Day, Open


class DueItemOut(Open):
    rule: str
    rule_label: str | None = None
    requirement: str | None = Field(None, description="该规则对联系有效的要求（方式、次数、周期）")
    to_id: str
    to_name: str | None = None
    to_kind: str | None = Field(None, description="联系对象的类型：member，或规则覆盖界别、专委会等时的分组；"
                                                  "person：委员本人联系的界别群众（to_id、to_name 为其姓名，via 为委员的界别）")
    to_committee_id: str | None = None
    via_id: str | None = Field(None, description="经由联系的界别、专委会、委员活动组或党组织（直接联系时为空）")
    via_name: str | None = None
    contact_id: str | None = Field(None, description="对象是分组时，计入的那名委员")
    mechanism: str | None = None
    last_contact: Day | None = Field(None, description="最近一次合乎要求的联系")
    done: int = Field(description="本期（或窗口内）合乎要求的联系次数")
    due: Day = Field(description="下一次联系应在此日（含）之前")
    days_left: int = Field(description="距应联系日的天数（已逾期为 0）")
    overdue: int = Field(description="已逾期天数（未逾期为 0）")
    state: Literal["overdue", "due", "met"] = Field(description="overdue 已逾期；due 待联系；met 本期已完成")


class DueHolderOut(NodeRef):
    overdue: int = Field(description="此人已逾期的项数")
    items: list[DueItemOut]


class DueCounts(Open):
    overdue: int
    due: int
    met: int


class DueOut(Open):
    as_of: Day
    policy: str
    label: str | None = None
    window_days: int | None = None
    within: int | None = Field(None, description="只列出此天数内到期（含已逾期）的联系；为空时全部列出")
    committee_id: str | None = None
    span: str = "tree"  # own: the committee alone; tree: with those below it
    counts: DueCounts
    holders: list[DueHolderOut] = Field(description="按联系人分组，逾期多的在前")


class PendingContactOut(Open):
    from_id: str
    from_name: str | None = None
    to_id: str | None = Field(None, description="联系对象（委员）的编号；联系界别群众的记录为空，见 person")
    to_name: str | None = None
    person: str | None = Field(None, description="联系界别群众的记录：群众姓名")
    unit: str | None = Field(None, description="联系界别群众的记录：群众的单位或身份")
    committee_id: str | None = None
    date: Day
    mode: str | None = None
    mode_label: str | None = None
    summary: str | None = None


class PendingContactsOut(Open):
    committee_id: str | None = None
    count: int
    items: list[PendingContactOut] = Field(description="委员本人记录、待组织办公室确认的联系，最早的在前")


class AckOut(Open):
    note: str | None = None
    by: str = Field(description="谁确认的（令牌编号，或 cli）")
    at: str


class DigestItemOut(Open):
    key: str = Field(description="此项的键，每期摘要中不变；确认（POST digest/ack）时用它")
    kind: Literal["new_gap", "became_overdue", "coming_due", "branch_expiring", "activity_without_branch"]
    kind_label: str
    committee_id: str | None = None
    text: str = Field(description="此项的中文说明，用姓名和名称")
    ack: AckOut | None = Field(None, description="已确认时：备注、确认人、时间")


class DigestOut(Open):
    committee_id: str | None = None
    as_of: Day
    since: Day = Field(description="自哪一天以来的变化（上一期摘要的游标；没有时为一周前）")
    policy: str
    cursor: str = Field(description="下一期摘要的 since")
    counts: dict[str, int]
    open: int = Field(description="尚未确认的项数")
    items: list[DigestItemOut]


class AckIn(Open):
    key: str = Field(min_length=1, max_length=300)
    note: str | None = Field(None, max_length=500)
    committee_id: str | None = Field(None, max_length=100)


class AckAnswer(Open):
    key: str
    ack: AckOut | None = None


class AttendanceTally(Open):
    invited: int = Field(description="受邀、尚未记出席情况的人次")
    attended: int
    excused: int
    absent: int
    rate: float | None = Field(None, description="出勤率：出席 /（出席 + 请假 + 缺席）；无记录时为空")


class AttendanceRow(Open):
    cpc: AttendanceTally
    non_cpc: AttendanceTally
    standing: AttendanceTally


class ActivityAttendanceOut(AttendanceRow):
    id: str
    name: str | None = None
    kind: str | None = None
    kind_label: str | None = None
    committee_id: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None


class CommitteeAttendanceOut(AttendanceRow):
    key: str | None = None
    name: str | None = None


class GroupAttendanceOut(AttendanceRow, NodeRef):
    kind: str | None = None


class OutsideBranchOut(Open):
    activity_id: str
    activity_name: str | None = None
    committee_id: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    members: list[NodeRef]


class AttendanceOut(Open):
    as_of: Day
    year_start: Day
    committee_id: str | None = None
    span: str = "tree"
    activities: list[ActivityAttendanceOut]
    by_committee: list[CommitteeAttendanceOut]
    by_group: list[GroupAttendanceOut]
    members_without_activity: list[NodeRef] = Field(description="当年没有参加任何活动的在任委员")
    outside_branch: list[OutsideBranchOut] = Field(
        [], description="尚未结束、应设临时党支部的活动（政策的 temporary_branch_kinds，或长于五天的）中，没有编入覆盖活动期间的临时党支部的党员（请假、缺席的不计）")


class DossierPeriod(Open):
    kind: Literal["year", "term"] = Field(description="year 年度，term 本届")
    from_: Day = Field(alias="from")
    to: Day


class DossierLiaison(Open):
    with_id: str = Field(description="联系人或联系对象的编号（对象也可能是界别、委员活动组、党组织）")
    with_kind: str | None = None
    with_name: str | None = None
    with_committee_id: str | None = None
    mechanism: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    holding: bool = Field(description="期末是否仍在联系")
    contacts: int = Field(description="期内双方的联系次数")
    state: str | None = Field(None, description="期末在政策规则下的状态：overdue 逾期、due 待联系、met 本期已完成；不在规则之内为空")
    rules: list[str] = []
    last_contact: Day | None = None


class DossierGap(Open):
    rule: str
    label: str
    from_: Day = Field(alias="from")
    to: Day
    days: int


class DossierOut(Open):
    member: dict[str, Any] = Field(description="委员的属性（编号、姓名、所属政协及其名称、界别、政治面貌、职务、任职起止等）")
    period: DossierPeriod
    policy: str
    policy_label: str
    organisations: list[dict[str, Any]] = Field(description="期内所在的界别、专委会、委员活动组、党组织（temporary: 临时党支部）")
    liaisons_held: list[DossierLiaison]
    liaisons_received: list[DossierLiaison]
    contacts: list[dict[str, Any]] = Field(description="期内的联系记录：made 本人联系、received 被联系")
    contacts_by_mode: list[dict[str, Any]]
    masses_contacts: list[dict[str, Any]]
    masses_people: int
    activities: list[dict[str, Any]] = Field(description="期内开始、列本人为参加者的本政协活动及其出勤")
    attendance: dict[str, int]
    gaps: list[DossierGap] = Field(description="期内本人是政策某规则的缺口的时段")
    other_records: list[dict[str, Any]] = Field([], description="同一人员（人员编号）在本政协上下级政协的其他委员记录（其他届次、其他政协）")


class TermClosingOut(Open):
    committee_id: str
    committee_name: str | None = None
    date: Day
    term: str | None = None
    policy: str
    policy_label: str | None = None
    ended: dict[str, int] = Field(description="结束的记录数，按类别（Member 委员任职、LIAISES_WITH 联系、PartyOrg 任期性党组织、成员关系）")
    headline: dict[str, Any] = Field(description="届末的两个全覆盖（各项：label、total、covered、ratio、effective、effective_ratio）")
    rules: list[dict[str, Any]]
    uncovered: dict[str, list[str]] = Field(description="届末各规则未覆盖的编号")
    dry_run: bool | None = None
    cursor: int | None = None
    at: str | None = None
    actor: str | None = None


class TermOpeningOut(Open):
    committee_id: str
    committee_name: str | None = None
    term: str
    closed: Day = Field(description="上一届结束的日期")
    dry_run: bool
    cursor: int | None = None
    rows: dict[str, int]
    stayed: list[dict[str, Any]] = Field(description="连任：上届末在任、新一届名单中也有的人员（按人员编号或委员编号）")
    came: list[dict[str, Any]]
    left: list[dict[str, Any]]
    proposed: list[dict[str, Any]] = Field(description="可能是连任而未关联人员编号的记录，待确认（persons/link）")
