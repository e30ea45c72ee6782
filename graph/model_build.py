"""The model built from its YAML document, every entry checked: a malformed model file is
refused with :class:`ModelError` naming the entry at fault."""

from __future__ import annotations

from liaison_graph.graph.errors import ModelError
from liaison_graph.graph.model_types import (COLUMN_TYPES, EDGE_KEYS, ENUM_VALUE_KEYS, NODE_KEYS, TEXT_KINDS, Column,
                                             EdgeKind, Enum, Limits, Model, NodeKind, Table, fold)


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _build_enum(name: str, spec: dict) -> Enum:
    if not isinstance(spec, dict) or not spec:
        raise ModelError(f"model: enum {name} has no values")
    labels, lookup, suffixes, flags, flag_words, marks = {}, {}, {}, {}, {}, {}
    for code, entry in spec.items():
        if not isinstance(entry, dict) or "label" not in entry:
            raise ModelError(f"model: enum {name}.{code} has no label")
        labels[code] = entry["label"]
        for mark, value in entry.items():
            if mark in ENUM_VALUE_KEYS:
                continue
            if not isinstance(value, bool):
                raise ModelError(f"model: enum {name}.{code}: {mark} must be true or false, not {value!r}")
            marks.setdefault(mark, set())
            if value:
                marks[mark].add(code)
        flagged = {str(word): prop for prop, words in (entry.get("flags") or {}).items() for word in words}
        for word in (code, entry["label"], *entry.get("aliases", []), *flagged):
            folded = fold(str(word))
            if lookup.get(folded, code) != code:
                raise ModelError(f"model: enum {name}: {word!r} names two values")
            lookup[folded] = code
        for word, prop in flagged.items():
            flags[fold(word)] = prop
            if prop not in {p for p, _ in flag_words.get(code, ())}:
                flag_words[code] = (*flag_words.get(code, ()), (prop, word))
        for suffix in entry.get("suffixes", []):
            folded = fold(str(suffix))
            if not folded or suffixes.get(folded, code) != code:
                raise ModelError(f"model: enum {name}: suffix {suffix!r} is empty or names two values")
            suffixes[folded] = code
    ordered = tuple(sorted(suffixes.items(), key=lambda s: -len(s[0])))
    return Enum(name, labels, lookup, ordered, flags, flag_words, {m: frozenset(c) for m, c in marks.items()})


def _build_table(name: str, spec: dict, enums: dict[str, Enum], node_names: set[str], list_items: int) -> Table:
    columns: dict[str, Column] = {}
    headers: dict[str, str] = {}
    for col_name, col in (spec.get("columns") or {}).items():
        ctype = col.get("type", "str")
        base = ctype.removeprefix("list:")
        if ctype not in COLUMN_TYPES and not (base.startswith("enum:") and base[5:] in enums):
            raise ModelError(f"model: column {name}.{col_name} has unknown type {ctype!r}")
        if col.get("ref") and col["ref"] not in node_names:
            raise ModelError(f"model: column {name}.{col_name} refers to unknown node {col['ref']!r}")
        text = col.get("text") or ("id" if col_name == "id" or col.get("ref") else "name")
        if text not in TEXT_KINDS:
            raise ModelError(f"model: column {name}.{col_name} has unknown text kind {text!r}")
        max_items = col.get("max_items", list_items if ctype.startswith("list:") else None)
        if max_items is not None and (not ctype.startswith("list:") or not isinstance(max_items, int) or max_items < 1):
            raise ModelError(f"model: column {name}.{col_name} has a bad max_items {max_items!r}")
        column = Column(col_name, col["label"], ctype, bool(col.get("required")), col.get("ref"), col.get("default"),
                        text, max_items)
        columns[col_name] = column
        for header in (col_name, column.label, *col.get("aliases", [])):
            headers[fold(header)] = col_name
    if not columns:
        raise ModelError(f"model: table {name} has no columns")
    key = _as_tuple(spec.get("key"))
    if not key or any(k not in columns for k in key):
        raise ModelError(f"model: table {name} has a bad key {key!r}")
    flags = {}
    for column in columns.values():
        for prop in set(enums[column.enum].flags.values()) if column.enum else ():
            if prop in columns or flags.get(prop, column.name) != column.name:
                raise ModelError(f"model: table {name}: flag {prop!r} is set twice or names a column")
            flags[prop] = column.name
    return Table(name, spec["label"], _as_tuple(spec.get("aliases")), key, columns, headers, flags)


def build_model(doc: dict) -> Model:
    """Check a parsed model document and build the model; raise ModelError if it is bad."""
    try:
        limits = Limits(**(doc.get("limits") or {}))
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 1 for v in vars(limits).values()):
            raise ModelError("model: every limit must be a positive whole number")
        enums = {name: _build_enum(name, spec) for name, spec in doc["enums"].items()}
        node_codes = _node_codes(doc["node_codes"], doc["nodes"])
        codes = {kind: code for code, kind in node_codes.items()}
        nodes = {}
        for name, spec in doc["nodes"].items():
            _known_keys(f"node {name}", spec, NODE_KEYS)
            nodes[name] = NodeKind(name, spec["label"], spec.get("table"), codes[name], _stat(f"node {name}", spec),
                                   spec.get("seen_from"), _flag(f"node {name}", spec, "grouping"),
                                   _flag(f"node {name}", spec, "term"))
        tables = {
            name: _build_table(name, spec, enums, set(nodes), limits.list_items) for name, spec in doc["tables"].items()
        }
        edges = {}
        for name, spec in doc["edges"].items():
            _known_keys(f"edge {name}", spec, EDGE_KEYS)
            edge = EdgeKind(
                name, spec["label"], _as_tuple(spec["from"]), _as_tuple(spec["to"]), bool(spec.get("from_row")), spec.get("table"),
                _flag(f"edge {name}", spec, "membership"), _stat(f"edge {name}", spec)
            )
            unknown = set(edge.sources + edge.targets) - set(nodes)
            if unknown:
                raise ModelError(f"model: edge {name} names unknown nodes {sorted(unknown)}")
            if edge.membership and (len(edge.sources) != 1 or len(edge.targets) != 1):
                raise ModelError(f"model: membership edge {name} must have one source and one target")
            edges[name] = edge
        target_nodes = {code: node_codes[code] for code in enums["target_kind"].labels if code in node_codes}
        records = {name: spec["label"] for name, spec in (doc.get("records") or {}).items()}
        reserved = _build_reserved(doc.get("reserved") or {}, tables, nodes, edges)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"model: missing or malformed entry {exc}") from None
    if set(target_nodes) != set(enums["target_kind"].labels):
        raise ModelError("model: node_codes must give a node kind for every target_kind")
    _check_kinds(nodes, edges)
    seen = _seen(nodes, edges, tables)
    for node in nodes.values():
        if node.table and node.table not in tables:
            raise ModelError(f"model: node {node.name} names unknown table {node.table}")
    if set(records) & (set(nodes) | set(edges)):
        raise ModelError("model: a record label must not also be a node or edge kind")
    for table in tables.values():
        if reserved[table.name] & set(map(fold, table.columns)):
            raise ModelError(f"model: table {table.name} has a column of a reserved name")
    return Model(enums, tables, nodes, edges, target_nodes, records, reserved, limits, node_codes, seen)


def _known_keys(what: str, spec: dict, known: set[str]) -> None:
    if set(spec) - known:
        raise ModelError(f"model: {what} has unknown keys {sorted(set(spec) - known)}")


def _flag(what: str, spec: dict, key: str) -> bool:
    value = spec.get(key, False)
    if not isinstance(value, bool):
        raise ModelError(f"model: {what}: {key} must be true or false, not {value!r}")
    return value


def _stat(what: str, spec: dict) -> str | None:
    value = spec.get("stat")
    if value is not None and (not isinstance(value, str) or not value):
        raise ModelError(f"model: {what}: stat must be a name, not {value!r}")
    return value


def _node_codes(spec: dict, nodes: dict) -> dict[str, str]:
    """code -> node kind: every node kind has one code, each code one node kind."""
    if not isinstance(spec, dict) or any(not isinstance(c, str) or not c for c in spec) \
            or sorted(spec.values()) != sorted(nodes):
        raise ModelError("model: node_codes must give each node kind exactly one code")
    return dict(spec)


def _check_kinds(nodes: dict[str, NodeKind], edges: dict[str, EdgeKind]) -> None:
    """Stat keys unique; a grouping is the target of one membership edge."""
    stats = [k.stat for k in (*nodes.values(), *edges.values()) if k.stat]
    if len(stats) != len(set(stats)):
        raise ModelError(f"model: a stat key names two kinds: {sorted(s for s in stats if stats.count(s) > 1)}")
    for node in nodes.values():
        into = [e for e in edges.values() if e.membership and e.targets == (node.name,)]
        if node.grouping and len(into) != 1:
            raise ModelError(f"model: grouping {node.name} must be the target of exactly one membership edge")


def _seen(nodes: dict[str, NodeKind], edges: dict[str, EdgeKind], tables: dict[str, Table]) -> dict[str, tuple[str, str]]:
    """member column -> (node kind, edge kind) for the node kinds created on first sight from a
    column of their source's row: the one from_row edge into the kind from a node whose table
    has that column."""
    seen = {}
    for node in nodes.values():
        if node.seen_from is None:
            continue
        column = node.seen_from if isinstance(node.seen_from, str) else None
        into = [e for e in edges.values() if e.from_row and e.targets == (node.name,)
                and any(column in tables[nodes[s].table].columns for s in e.sources if nodes[s].table in tables)]
        if len(into) != 1 or column in seen:
            raise ModelError(f"model: node {node.name}: seen_from {node.seen_from!r} must name a column of the row of one "
                             f"edge into it, and no other node's")
        seen[column] = (node.name, into[0].name)
    return seen


def _build_reserved(spec: dict, tables: dict, nodes: dict, edges: dict) -> dict[str, frozenset[str]]:
    """table -> reserved property names: those of every node table or every edge table, and
    the table's own."""
    node_tables = {n.table for n in nodes.values() if n.table}
    edge_tables = {e.table for e in edges.values() if e.table}
    own = spec.get("tables") or {}
    if set(own) - set(tables):
        raise ModelError(f"model: reserved names for unknown tables {sorted(set(own) - set(tables))}")
    out = {}
    for name in tables:
        names = set(own.get(name, ()))
        names.update(spec.get("nodes", ()) if name in node_tables else ())
        names.update(spec.get("edges", ()) if name in edge_tables else ())
        out[name] = frozenset(fold(n) for n in names)
    return out
