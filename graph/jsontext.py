"""The product's one JSON encoder for what it keeps and compares: keys sorted, UTF-8 as is,
no spaces. The stores' properties, the journal, and the version tag of a node or edge are
all this text."""

from __future__ import annotations

import orjson


def dumps(value) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def loads(text: str | bytes):
    return orjson.loads(text)
