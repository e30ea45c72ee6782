"""A date cell read as an ISO day: a date or date-time cell (at midnight), an Excel serial
day, a number typed as YYYYMMDD, or text written as offices write dates. Shared by the
cell-by-cell path (loaders.validate) and the bulk reading of a worksheet (loaders.bulkread).
"""

from __future__ import annotations

import datetime as dt
import re

DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]
# A datetime's time part is accepted only when it is midnight (an Excel date cell,
# or ISO text such as 2024-01-05 00:00:00).
DATETIME_TAIL = re.compile(r"[ T]00:00(:00(\.0+)?)?$")


def parse_date(value) -> str | None:
    """Parse a date cell or text to ISO ``YYYY-MM-DD``; ValueError if it is no date."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueError("has a time of day")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and value == int(value):  # 20220106 typed as a number: YYYYMMDD, not a serial day
            return parse_date(str(int(value)))
        if not 1 <= value < 2958466:
            raise ValueError("out of range")
        from openpyxl.utils.datetime import from_excel  # a workbook's serial day (only workbooks hold them)

        return parse_date(from_excel(value))
    text = DATETIME_TAIL.sub("", str(value).strip())
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    for pattern in DATE_PATTERNS:
        if m := pattern.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    raise ValueError("not a date")
