"""Query parameters several routes take, and their limits (the gap list's fast path,
``api/fast.py``, holds to the same limits)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from liaison_graph.graph.policy import BREAKDOWNS

AS_OF_MAX, COMMITTEE_MAX, POLICY_MAX = 40, 100, 100  # the longest values the query parameters take
AsOf = Annotated[str | None, Query(description="统计日 YYYY-MM-DD（默认今天）", max_length=AS_OF_MAX)]
CommitteeQ = Annotated[str | None, Query(description="政协编号（须在令牌范围内，含其下级政协；默认令牌所属政协）",
                                         max_length=COMMITTEE_MAX)]
PolicyQ = Annotated[str | None, Query(description="内置政策名称或中文名（默认两个全覆盖）", max_length=POLICY_MAX)]
Window = Annotated[int | None, Query(ge=0, le=3650, description="有效联系窗口天数")]
By = Literal[tuple(BREAKDOWNS)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
