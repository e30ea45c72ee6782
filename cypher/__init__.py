"""Queries of the Bolt store, one named query per ``.cypher`` file, loaded once.

A file may hold ``{Label}``-style placeholders only where the store inserts a node label
or relationship type taken from the model (in backticks); every value is a ``$param``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from liaison_graph.graph.errors import ModelError
from liaison_graph.graph.model import model

PLACEHOLDER = re.compile(r"\{(kind|src|dst|rel)\}")


@cache
def catalog() -> dict[str, str]:
    """name -> query text, for every ``.cypher`` file shipped with the package."""
    queries = {}
    for entry in resources.files("liaison_graph.cypher").iterdir():
        if entry.name.endswith(".cypher"):
            text = entry.read_text(encoding="utf-8")
            body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
            queries[entry.name.removesuffix(".cypher")] = body.strip()
    return queries


def query(name: str, **names: str) -> str:
    """The named query with its placeholders filled: ``kind``, ``src`` and ``dst`` take
    node kinds of the model, ``rel`` an edge kind; nothing else can be inserted."""
    m = model()
    for slot, value in names.items():
        known = m.edges if slot == "rel" else m.nodes
        if value not in known:
            raise ModelError(f"cypher {name}: {value!r} is not a {'edge' if slot == 'rel' else 'node'} kind of the model")
    text = catalog()[name]
    missing = set(PLACEHOLDER.findall(text)) - set(names)
    if missing:
        raise ModelError(f"cypher {name}: no value for {sorted(missing)}")
    return PLACEHOLDER.sub(lambda g: f"`{names[g[1]]}`", text)
