"""Bookmarks handed to a Bolt store from elsewhere: a token of them (``Store.written``, an
API client's ``X-Liaison-Bookmarks``), the ones the current request or job waits for (a
context variable, so that concurrent requests never mix theirs), and the server's refusals
of them as the product's errors."""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

import neo4j
from liaison_graph.graph.errors import BadArgument, LiaisonError, Unavailable
from neo4j.exceptions import Neo4jError

_AFTER: ContextVar[frozenset[str]] = ContextVar("liaison_bolt_after", default=frozenset())
BOOKMARK = re.compile(r"[\x21-\x2b\x2d-\x7e]{1,512}")  # printable ASCII but the comma that separates them
MAX_BOOKMARKS = 64
# The server's answers to bookmarks: not one of its own, or not reached in time.
BAD_BOOKMARK = ("Neo.ClientError.Transaction.InvalidBookmark", "Neo.ClientError.Transaction.InvalidBookmarkMixture")
BOOKMARK_TIMEOUT = "Neo.TransientError.Transaction.BookmarkTimeout"


def parse(token: str | None) -> frozenset[str]:
    """The bookmarks a token names (comma-separated, as ``token`` writes them)."""
    values = frozenset(v.strip() for v in (token or "").split(",") if v.strip())
    if len(values) > MAX_BOOKMARKS or not all(BOOKMARK.fullmatch(v) for v in values):
        raise BadArgument("书签无效：应原样交回写入后得到的书签", field="bookmarks")
    return values


def token(values) -> str | None:
    return ",".join(sorted(values)) or None


def given() -> frozenset[str]:
    """The bookmarks the current request or job waits for."""
    return _AFTER.get()


@contextmanager
def waiting(values: frozenset[str]):
    """Inside, ``given()`` holds ``values`` too."""
    mark = _AFTER.set(_AFTER.get() | values)
    try:
        yield
    finally:
        _AFTER.reset(mark)


@contextmanager
def session(driver, database: str | None, manager):
    """A session on ``database`` with the process's bookmark ``manager``, waiting also for the
    bookmarks of the current request or job (``given``); the server's refusal of them raised
    as the product's error."""
    given_now = _AFTER.get()
    bookmarks = neo4j.Bookmarks.from_raw_values(given_now) if given_now else None
    with driver.session(database=database, bookmark_manager=manager, bookmarks=bookmarks) as opened:
        try:
            yield opened
        except Neo4jError as exc:
            refused = refusal(exc.code, exc.message)
            if refused is not None:
                raise refused from None
            raise


def refusal(code: str | None, message: str | None) -> LiaisonError | None:
    """The product's error for the server's refusal of a session's bookmarks, if it is one."""
    if code in BAD_BOOKMARK:
        return BadArgument(f"书签无效，图数据库不认：{message}", field="bookmarks")
    if code == BOOKMARK_TIMEOUT:
        return Unavailable("图数据库尚未同步到书签所指的写入，请稍后重试")
    return None
