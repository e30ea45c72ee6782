"""The one day type of the product's numeric forms: a day is a whole number of days since
1970-01-01 (numpy's ``datetime64[D]``), and the ends of an open range are two constants far
outside any roster. ISO text (``2024-06-30``) is what rosters, stored properties, views and
answers hold; the gap index (``graph/gapindex.py``) and the report columns
(``graph/columnar.py``) hold days, and go between the two only here.
"""

from __future__ import annotations

import datetime as dt
from itertools import repeat

import numpy as np

EPOCH = dt.date(1970, 1, 1)
OPEN_START, OPEN_END = -(2**30), 2**30  # a range without a start, without an end (within int32)
NO_DAY = -(2**31)  # no day at all (no contact yet): before every day and every open start
_JULIAN_EPOCH = 2440587.5  # SQLite's julianday('1970-01-01')


def day(iso: str) -> int:
    """An ISO day as a day."""
    return (dt.date.fromisoformat(iso) - EPOCH).days


def iso(number: int) -> str:
    """A day as ISO text."""
    return (EPOCH + dt.timedelta(days=number)).isoformat()


def shifted(iso_day: str, by: int) -> str:
    """An ISO day ``by`` days later (earlier when negative), as ISO text."""
    return iso(day(iso_day) + by)


def between(start: str, end: str) -> int:
    """How many days from one ISO day to another."""
    return day(end) - day(start)


def days(values: list, open_value: int) -> np.ndarray:
    """ISO days (None: ``open_value``) as an int32 array of days; each distinct day parsed once."""
    distinct = list(set(values) - {None})
    parsed = np.array(distinct, dtype="datetime64[D]").astype(np.int64).tolist()
    number = dict(zip(distinct, parsed, strict=True))
    return np.fromiter(map(number.get, values, repeat(open_value)), np.int32, len(values))


def isos(numbers: np.ndarray) -> np.ndarray:
    """Days as ISO text (an array of str; meaningless for the open ends and NO_DAY)."""
    return (np.datetime64(EPOCH.isoformat(), "D") + numbers.astype("timedelta64[D]")).astype(str)


ISO_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # a day as the loaders write it


def column_day(text):
    """For the column engine (its expressions): the day of an ISO text expression, null where
    there is none; and where a text is not an ISO day (the column paths then leave the work
    to the slower ones, which read such a text as they always have)."""
    parsed = text.str.to_date("%Y-%m-%d", strict=False).dt.epoch("d")
    return parsed, text.is_not_null() & (~text.str.contains(ISO_TEXT) | parsed.is_null())


def sql(expr: str, open_value: int) -> str:
    """An SQLite expression for the day of an ISO text expression (NULL: ``open_value``)."""
    return f"coalesce(CAST(julianday({expr}) - {_JULIAN_EPOCH} AS INTEGER), {open_value})"
