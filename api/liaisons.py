"""A liaison as callers name and read it: an opaque, URL-safe id for the edge, and the item
the lookups list and the edits answer with."""

from __future__ import annotations

import base64
import json

from liaison_graph.graph.errors import NotFound
from liaison_graph.graph.batch import etag
from liaison_graph.graph.view import KIND_CODES


def liaison_id(src: str, dst_kind: str, dst: str, key: str) -> str:
    """An opaque, URL-safe id for a liaison edge."""
    raw = json.dumps([src, dst_kind, dst, key], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_liaison_id(text: str) -> tuple[str, str, str, str]:
    try:
        src, dst_kind, dst, key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not all(isinstance(x, str) for x in (src, dst_kind, dst, key)) or dst_kind not in KIND_CODES:
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError):
        raise NotFound(f"找不到联系「{text}」", id=text) from None
    return src, dst_kind, dst, key


def liaison_item(src: str, dst_kind: str, dst: str, key: str, props: dict, names: dict | None = None) -> dict:
    names = names or {}
    return {"liaison_id": liaison_id(src, dst_kind, dst, key), "from_id": src, "from_name": names.get(("Member", src)),
            "target_kind": KIND_CODES[dst_kind], "to_id": dst, "to_name": names.get((dst_kind, dst)),
            "mechanism": props.get("mechanism"), "start_date": props.get("start_date"),
            "end_date": props.get("end_date"), "etag": etag(props),
            "extra": {k: v for k, v in props.items() if k not in ("mechanism", "start_date", "end_date", "target_kind")}}
