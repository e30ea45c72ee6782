"""Query parameters several routes take, and their limits (the gap list's fast path,
``api/fast.py``, holds to the same limits)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from liaison_graph.graph.model import model
from liaison_graph.graph.policy import BREAKDOWNS

AS_OF_MAX, COMMITTEE_MAX, POLICY_MAX = 40, 100, 100  # the longest values the query parameters take
DATE = {"format": "date"}  # what the schema offers; the other spellings a roster uses are taken too
AsOf = Annotated[str | None, Query(description="统计日 YYYY-MM-DD（默认今天）", max_length=AS_OF_MAX,
                                   json_schema_extra=DATE)]
CommitteeQ = Annotated[str | None, Query(description="政协编号或名称（须在令牌范围内，含其下级政协；默认令牌所属政协）",
                                         max_length=COMMITTEE_MAX)]


def policy_names() -> list[str]:
    """Every name a built-in policy answers to: its name, its Chinese label, its aliases."""
    from liaison_graph.graph.policy import builtin

    return list(dict.fromkeys(n for p in builtin().values() for n in (p.name, p.label, *p.aliases)))


POLICY_ENUM = {"enum": policy_names()}
PolicyQ = Annotated[str | None, Query(description="内置政策名称或中文名（默认两个全覆盖）", max_length=POLICY_MAX,
                                      json_schema_extra=POLICY_ENUM)]
Window = Annotated[int | None, Query(ge=0, le=3650, description="有效联系窗口天数")]
By = Literal[tuple(BREAKDOWNS)]
SpanQ = Annotated[Literal[tuple(model().enums["span"].labels)], Query(
    description="统计范围：own 本级（仅该政协）；tree 含下级（该政协及其下级政协，默认）")]
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_ANSWER = {"description": "Excel 工作簿", "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}
ETAG_HEADER = {"ETag": {"description": "该委员的版本（带引号）；修改时放在 If-Match 中", "schema": {"type": "string"}}}
