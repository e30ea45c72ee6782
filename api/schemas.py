"""Input and output models of the HTTP API (separate, as the OpenAPI schema shows them).

Input rows use the roster's English column names (DATA-FORMAT.md) and go through the
same loaders as a file: values may be Chinese labels or the model's codes; any other
key is kept as an extra property, as an extra column of a sheet is.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from liaison_graph.api.params import POLICY_ENUM
from liaison_graph.api.verbs.policies import POLICY_DOCUMENT_MAX
from liaison_graph.graph.model import model
from liaison_graph.graph.policy import BREAKDOWNS
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

Text = str | None
TextList = str | list[str] | None
DATE_PATTERN = r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$|^\d{4}年\d{1,2}月\d{1,2}日$"
# A day as the API writes it (ISO text). Kept as text, so the answer is passed through as
# it is; the schema says ``format: date`` so a generated client reads a date.
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
# A day the API reads: ISO is what the schema offers; the roster's other spellings
# (2026/6/30, 2026年6月30日) are taken too, as in a file.
DayIn = Annotated[str, Field(max_length=40), WithJsonSchema({"type": "string", "format": "date", "maxLength": 40})]


class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="稳定的英文错误代码，如 validation_error、not_found、forbidden、conflict")
    message: str = Field(description="一行中文说明")
    field: str | None = Field(None, description="出错的字段（请求参数、JSON 字段或名单列）")
    value: str | None = Field(None, description="出错的值")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorOut(BaseModel):
    error: ErrorBody


class GapItem(BaseModel):
    id: str
    name: str
    committee_id: str
    sector: str | None


class GapsOut(BaseModel):
    rule: str
    as_of: str
    count: int
    items: list[GapItem]


class Open(BaseModel):
    """An answer's object: the fields it always or often has, typed; anything an office's
    roster brought beyond them (an extra column) is kept as it is."""

    model_config = ConfigDict(extra="allow")


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    total: int
    limit: int
    offset: int
    items: list[Item]


class _MemberColumns(BaseModel):
    """The optional columns of the roster's 委员 table."""

    model_config = ConfigDict(extra="allow")

    gender: Text = None
    position: Text = None
    party_group_role: Text = None
    special_committees: TextList = None
    activity_group: Text = None
    party_org_ids: TextList = None
    studio: TextList = None
    township: Text = None
    start_date: DayIn | None = None
    end_date: DayIn | None = None


class MemberIn(_MemberColumns):
    """A member row, as in the roster's 委员 table."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": {
        "id": "XS-M0999", "name": "林晓", "affiliation": "民盟", "committee_id": "XS", "sector": "民盟",
        "position": "委员", "special_committees": ["提案委员会"], "start_date": "2026-11-01"}})

    id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100)
    affiliation: str | list[str]
    committee_id: str = Field(min_length=1, max_length=100)
    sector: str = Field(min_length=1, max_length=100)


class MemberPatch(_MemberColumns):
    """Fields to change; a field set to null is cleared. The id cannot change."""

    name: str | None = Field(None, min_length=1, max_length=100)
    affiliation: str | list[str] | None = None
    committee_id: str | None = Field(None, min_length=1, max_length=100)
    sector: str | None = Field(None, min_length=1, max_length=100)


class EndIn(BaseModel):
    date: DayIn = Field(description="结束日期 YYYY-MM-DD")


class LiaisonIn(BaseModel):
    """A liaison row, as in the roster's 联系 table."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"example": {
        "from_id": "XS-M0001", "target_kind": "委员", "to": "XS-M0005", "mechanism": "党员委员联系党外委员",
        "start_date": "2026-11-01"}})

    from_id: str = Field(min_length=1, max_length=100)
    target_kind: Text = None
    to: str = Field(min_length=1, max_length=100)
    mechanism: Text = None
    start_date: DayIn | None = None
    end_date: DayIn | None = None


class LiaisonPatch(BaseModel):
    model_config = ConfigDict(extra="allow")

    end_date: DayIn | None = None


class MembershipIn(BaseModel):
    member_id: str = Field(min_length=1, max_length=100)
    party_org_id: str = Field(min_length=1, max_length=100)
    start_date: DayIn | None = None


class MembershipEndIn(BaseModel):
    member_id: str = Field(min_length=1, max_length=100)
    party_org_id: str = Field(min_length=1, max_length=100)
    date: DayIn


class ContactIn(BaseModel):
    """A contact record (谈心谈话, 走访 …), as in the roster's 联系记录 table."""

    model_config = ConfigDict(extra="allow")

    from_id: str = Field(min_length=1, max_length=100)
    to_id: str = Field(min_length=1, max_length=100)
    date: DayIn
    mode: Text = None
    summary: str | None = Field(None, max_length=2000)


class MassesContactIn(BaseModel):
    """A member's contact with a person of their sector, as in the roster's 界别群众联系 table."""

    model_config = ConfigDict(extra="allow")

    from_id: str = Field(min_length=1, max_length=100)
    person: str = Field(min_length=1, max_length=100, description="群众姓名；同一委员名下同名的是同一个固定联系对象")
    unit: str | None = Field(None, max_length=200, description="单位或身份")
    date: DayIn
    mode: Text = None
    summary: str | None = Field(None, max_length=2000)


class ContactReviewIn(BaseModel):
    """A contact a member recorded, waiting for the office: confirmed (it counts) or sent back;
    a contact with another member names them (``to_id``), one with the masses the person."""

    from_id: str = Field(min_length=1, max_length=100)
    to_id: str | None = Field(None, min_length=1, max_length=100)
    person: str | None = Field(None, min_length=1, max_length=100, description="联系界别群众的记录：群众姓名（代替 to_id）")
    date: DayIn
    mode: Text = None
    accept: bool = Field(True, description="true：确认，计入覆盖；false：退回，不计入")


class PolicyIn(BaseModel):
    """A question asked under a liaison system: a built-in one by name, or the caller's own
    policy document (the YAML of a ``--policy`` file on the command line)."""

    model_config = ConfigDict(json_schema_extra={"example": {"policy": "四联", "as_of": "2026-06-30"}})

    policy: str | None = Field(None, max_length=100, json_schema_extra=POLICY_ENUM,
                               description="内置政策名称或中文名（默认两个全覆盖）；与 policy_document 二选一")
    policy_document: str | None = Field(None, max_length=POLICY_DOCUMENT_MAX,
                                        description="自定义政策文件的内容（YAML，与命令行 --policy 文件相同）")
    as_of: DayIn | None = Field(None, description="统计日 YYYY-MM-DD（默认今天）")
    committee_id: str | None = Field(None, max_length=100, description="政协编号（须在令牌范围内；默认令牌所属政协）")


class CoverageIn(PolicyIn):
    by: Literal[tuple(BREAKDOWNS)] | None = Field(None, description="分组统计")
    window: int | None = Field(None, ge=0, le=3650, description="有效联系窗口天数")
    span: Literal[tuple(model().enums["span"].labels)] = Field(
        "tree", description="统计范围：own 本级（仅该政协）；tree 含下级（默认）")


class RecommendIn(PolicyIn):
    """The recommendation's question; accepted, new liaisons start on ``as_of``."""


class WriteOut(BaseModel):
    ok: Literal[True] = True
    cursor: int | None = Field(None, description="写入后变更流的游标")
    item: dict[str, Any] | None = None
    etag: str | None = None


class ImportOut(BaseModel):
    files: list[str]
    rows: dict[str, int]
    created: dict[str, int]
    updated: dict[str, int]
    ignored: list[str]
    cursor: int | None


class ChangedNode(Open):
    """A node written (``id``, ``kind``) or an edge written (``kind`` and ``src``, ``src_kind``,
    ``dst``, ``dst_kind``, ``key``)."""

    kind: str


class ChangeEntry(Open):
    cursor: int
    at: str = Field(description="写入时间（UTC，ISO 8601）")
    committee_id: str | None
    changes: list[ChangedNode]


class ChangesOut(BaseModel):
    since: int
    next: int = Field(description="下一次请求用的游标（since）")
    items: list[ChangeEntry]


class AuditItem(Open):
    seq: int
    at: str = Field(description="写入时间（UTC，ISO 8601）")
    actor: str | None = None
    action: str
    committee_ids: list[str] = []
    target: str | None = None
    before: Any = None
    after: Any = None


class HealthOut(BaseModel):
    status: str

