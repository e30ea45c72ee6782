"""A day as a caller writes it (any of the roster's date forms; none: today), for the
command line's options and the HTTP API's parameters and fields alike."""

from __future__ import annotations

import datetime as dt

from liaison_graph.graph.errors import BadArgument
from liaison_graph.loaders.validate import parse_date


def day_of(value: str | None, field: str = "as_of") -> dt.date:
    """The day ``value`` names (None or empty: today); a value that is no day is refused
    naming ``field``."""
    if value is None or value == "":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(parse_date(value))
    except (ValueError, OverflowError):
        raise BadArgument(f"无法识别的日期「{value}」（应为 YYYY-MM-DD）", field=field, value=value) from None
