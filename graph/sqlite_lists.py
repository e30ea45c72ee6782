"""Small pieces every part of the embedded store's SQL shares: ids bound as IN lists in
chunks below SQLite's variable limit, the model's names as SQL lists, and properties as the
JSON text the file keeps."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from itertools import islice

from liaison_graph.graph.jsontext import dumps

CHUNK = 900  # ids per IN (...) list, below SQLite's variable limit


def chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def sql_list(kinds: Iterable[str]) -> str:
    """Kinds of the model as an SQL list (they are names of the model, never input)."""
    return "(" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def where(table: str, kind_column: str, id_column: str, kind: str, ids: Collection[str] | None):
    """(FROM … WHERE clause, parameters): one kind's rows, or some of them in chunks."""
    if ids is None:
        yield f"{table} WHERE {kind_column} = ?", (kind,)
        return
    for chunk in chunks(sorted(ids)):
        yield f"{table} WHERE {kind_column} = ? AND {id_column} IN ({','.join('?' * len(chunk))})", (kind, *chunk)


def props_text(value) -> str:
    """Properties (or any JSON value) as the file keeps them: keys sorted, UTF-8."""
    if not value and not isinstance(value, list):  # most row-derived edges carry nothing
        return "{}"
    return dumps(value)
