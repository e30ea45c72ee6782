"""The answers' models of the HTTP API: what each JSON answer holds, as the OpenAPI
schema shows it (the requests' models, the error shape and the write answers:
``api/schemas.py``).

They describe what the verbs return: the routes answer with ``exclude_unset``, so a key
the verb did not write is not added, and any further key (an extra column of an office's
roster) is kept as it is."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from liaison_graph.api.schemas import Day, Open
from liaison_graph.graph import fastpaths
from pydantic import BaseModel, Field

class NodeRef(Open):
    """A member, sector or organisation named in an answer."""

    id: str
    name: str | None = None
    committee_id: str | None = None
    sector: str | None = None


class PolicyRuleCapacity(Open):
    min: int | None = None
    max: int | None = None


class PolicyRuleOut(Open):
    id: str
    label: str | None = None
    through: list[str] = []
    capacity: PolicyRuleCapacity | None = None
    affinity: str | None = None


class PolicyOut(Open):
    name: str
    label: str
    aliases: list[str] = []
    source: str | None = None
    window_days: int | None = None
    rules: list[PolicyRuleOut] = []


class ReachItem(NodeRef):
    kind: str | None = None
    distance: int


class ReachOut(Open):
    from_: str = Field(alias="from")
    as_of: Day
    hops: int
    items: list[ReachItem]


class WhyOrg(NodeRef):
    kind: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None


class WhyOut(Open):
    id: str
    name: str | None = None
    as_of: Day
    cpc: bool | None = None
    covered: bool
    chains: list[list[NodeRef]] = Field([], description="覆盖该委员的联系链，每条从联系人到该委员")
    organisations: list[WhyOrg] = []
    reasons: list[str] = []
    rule: str | None = None


class DiffItem(NodeRef):
    rule: str
    change: Literal["gained", "lost"] | str
    reason: str | None = None


class DiffOut(Open):
    from_: Day = Field(alias="from")
    to: Day
    committee_id: str | None = None
    items: list[DiffItem]
    reasons: dict[str, str] = Field({}, description="原因代码 → 中文说明")
    term_closings: list[dict[str, Any]] = Field([], description="两日之间的换届（liaison term close）：政协、日期、届次、届末的覆盖情况")


class LoadItem(NodeRef):
    liaisons: int


class BrokerItem(NodeRef):
    betweenness: float = Field(description="中介中心度（networkx，按整个网络归一化）")
    paths_through: float | None = Field(None, description="所在联系圈中其他委员两两之间，最短联系路径经过其的对数（有几条最短路径的按经过其的比例计）")
    path_share: float | None = Field(None, description="所在联系圈中其他委员两两之间的最短联系路径经过其的比例（0–1）")
    part_members: int | None = Field(None, description="所在联系圈（经由联系彼此相通的委员）的人数")


class SectorMatrix(Open):
    sectors: list[str]
    counts: list[list[int]]


class NetworkOut(Open):
    as_of: Day
    members: int
    liaisons: int
    load: list[LoadItem] = []
    cpc_without_liaison: list[NodeRef] = []
    brokers: list[BrokerItem] = []
    isolated: list[NodeRef] = []
    sector_matrix: SectorMatrix | None = None


class RecommendItem(Open):
    rule: str
    kind: str
    from_id: str | None = None
    from_name: str | None = None
    to_id: str | None = None
    to_name: str | None = None
    target_kind: str | None = None
    committee_id: str | None = None
    cost: float | None = None
    load_before: int | None = None


class WhatIfCount(Open):
    covered: int
    total: int
    ratio: float | None = None


class WhatIfOut(Open):
    rule: str
    label: str | None = None
    before: WhatIfCount
    after: WhatIfCount


class RecommendOut(Open):
    as_of: Day
    policy: str
    items: list[RecommendItem]
    uncoverable: list[Open] = []
    temporary_branches: list[Open] = []
    skipped_rules: list[Open | str] = []
    what_if: list[WhatIfOut] = []


class AcceptOut(Open):
    cursor: int | None = None
    as_of: Day
    policy: str
    items: int = Field(description="写入的推荐结对数")
    temporary_branches: int
    what_if: list[WhatIfOut] = []


class MeOut(BaseModel):
    token_id: str
    committee_id: str
    role: Literal["member", "viewer", "editor", "admin"]
    name: str | None = None
    expires_at: str | None = None
    scope: list[str]
    member_id: str | None = Field(None, description="委员本人的令牌：本人的编号")
    member_name: str | None = None
    confirm: bool | None = Field(None, description="委员本人记录的联系是否须经组织办公室确认才计入")


class CommitteeItem(Open):
    id: str
    name: str | None = None
    committee_id: str | None = None
    level: str | None = None
    term: str | None = None
    parent_id: str | None = None


class CommitteeOut(CommitteeItem):
    children: list[str]


class MemberItem(Open):
    """A member as stored: the roster's columns by their English names (DATA-FORMAT.md),
    vocabularies as codes, and any extra column of the office's roster as it came."""

    id: str
    name: str | None = None
    committee_id: str | None = None
    sector: str | None = None
    affiliation: list[str] | str | None = None
    cpc: bool | None = None
    gender: str | None = None
    position: str | None = None
    party_group_role: str | None = None
    special_committees: list[str] | str | None = None
    activity_group: str | None = None
    party_org_ids: list[str] | str | None = None
    studio: list[str] | str | None = None
    township: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None


class LiaisonItem(Open):
    liaison_id: str
    from_id: str
    from_name: str | None = None
    target_kind: str | None = None
    to_id: str
    to_name: str | None = None
    mechanism: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    etag: str | None = None
    extra: dict[str, Any] = Field({}, description="名单中此行的其他列")


class MemberOrg(NodeRef):
    kind: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    org_start_date: Day | None = None
    org_end_date: Day | None = None


class ContactItem(Open):
    from_id: str
    from_name: str | None = None
    to_id: str
    to_name: str | None = None
    date: Day | None = None
    mode: str | None = None
    summary: str | None = None


class MemberOut(BaseModel):
    member: MemberItem
    etag: str = Field(description="该委员的版本；修改时放在 If-Match 中")
    liaisons_out: list[LiaisonItem]
    liaisons_in: list[LiaisonItem]
    party_orgs: list[MemberOrg]
    contacts: list[ContactItem]


class SectorItem(Open):
    id: str
    name: str | None = None
    committee_id: str | None = None
    members: int
    cpc_members: int


class PartyOrgItem(Open):
    id: str
    name: str | None = None
    committee_id: str | None = None
    kind: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None


class PartyOrgMember(Open):
    id: str
    name: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None


class PartyOrgOut(BaseModel):
    party_org: PartyOrgItem
    members: list[PartyOrgMember]


class NetworkNode(NodeRef):
    committee_name: str | None = None
    activity_group: str | None = None
    special_committees: list[str] | str | None = None
    position: str | None = None
    party: str | None = None
    gap: str | None = None


class NetworkEdge(Open):
    from_: str = Field(alias="from")
    to: str
    mechanism: str | None = None


class PageNetworkOut(Open):
    committee_id: str
    committee_name: str | None = None
    as_of: Day
    span: str = "own"  # own: the committee alone; tree: with those below it
    committees: int | None = None  # how many committees the network shows
    contact_modes: list[str] = []  # the labels the contact form offers
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    sectors: list[str] = []
    activity_groups: list[str] = []
    special_committees: list[str] = []
    gap_counts: dict[str, int] = {}


class StatsOut(Open):
    """How many of each kind (the kinds of the model, by their list names)."""

    committees: int | None = None
    party_orgs: int | None = None
    members: int | None = None
    sectors: int | None = None
    liaisons: int | None = None
    contacts: int | None = None


def as_json(answer: type[BaseModel], value: Any) -> bytes:
    """A verb's result as its route answers it: checked against its answer model and written
    as JSON, with no key the verb did not write (what FastAPI does with a route's
    ``response_model``, aliases and ``exclude_unset``, done here where a long question is
    worked out, so that its process hands over bytes).

    An answer longer than ``fastpaths.CHECK_ANSWERS_UP_TO`` bytes (a whole nation's report
    is some 50 MB) is sent as the verb wrote it: checking it would cost twice the question
    (``tests/api/test_answers.py`` holds both ways to the same JSON)."""
    try:
        direct = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):  # a value only the model knows how to write
        direct = None
    if direct is not None and len(direct) > fastpaths.CHECK_ANSWERS_UP_TO:
        return direct
    return answer.model_validate(value).model_dump_json(exclude_unset=True, by_alias=True).encode()


class PersonRecord(Open):
    id: str
    name: str | None = None
    committee_id: str | None = None
    committee_name: str | None = None
    sector: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    current: bool
    person_id: str | None = None


class PersonOut(Open):
    person_id: str
    name: str | None = None
    current_records: int
    records: list[PersonRecord]


class PersonsOut(Open):
    as_of: Day
    committee_id: str | None = None
    members: int = Field(description="在任委员记录数（按任职，一人多处任职各计一次）")
    people: int = Field(description="人数（同一人员编号只计一次）")
    by_committee: list[dict[str, Any]]
    persons: list[PersonOut] = Field(description="有多条委员记录（不同届次或不同政协）的人员")


class PersonMatch(Open):
    name: str | None = None
    gender: str | None = None
    sector: str | None = None
    reason: str
    records: list[PersonRecord]


class PersonMatchesOut(Open):
    as_of: Day
    committee_id: str | None = None
    count: int
    matches: list[PersonMatch]
