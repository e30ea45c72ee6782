"""The model, loaded once from ``model.yaml``: enums, roster tables, node and edge kinds.

The YAML file is the single place where kinds, properties and Chinese labels are
declared; everything else asks this module. A malformed model file is refused with
:class:`ModelError` naming the entry at fault.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from liaison_graph.graph.errors import ModelError

COLUMN_TYPES = {"str", "date", "list:str"}
TEXT_KINDS = {"id", "name", "free"}  # how a text column's characters are read (see model.yaml)


# Characters a paste brings along that no one sees: a byte-order mark, zero-width space,
# non-joiner and joiner, word joiner, soft hyphen, left-to-right and right-to-left marks.
# Every text cell loses them at its ends, ids and names wherever they stand (loaders.text).
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f"
_UNSEEN = str.maketrans(dict.fromkeys(INVISIBLE))
# What an office writes around a header: 姓名：, *姓名, 姓名*, 姓名（必填） (as NFKC gives them).
HEADER_MARKS = ("(必填)", "(选填)", "(可选)", "(非必填)", ":", "*")


def fold(text: str) -> str:
    """Fold a header or vocabulary cell for matching: NFKC (full-width to half-width), no
    spaces, no invisible characters, lower case, without the marks an office writes around
    a header (a colon after it, an asterisk before or after it, （必填） after it)."""
    whole = text = "".join(unicodedata.normalize("NFKC", text).translate(_UNSEEN).split()).lower()
    folded = None
    while folded != text:
        folded = text
        text = text.lstrip("*")
        for mark in HEADER_MARKS:
            text = text.removesuffix(mark)
    return text or whole  # a header of marks alone stays itself


@dataclass(frozen=True)
class Enum:
    name: str
    labels: dict[str, str]  # code -> Chinese label
    lookup: dict[str, str]  # folded code / label / alias / flag word -> code
    suffixes: tuple[tuple[str, str], ...] = ()  # (folded suffix, code), the longest first
    flags: dict[str, str] = field(default_factory=dict)  # folded flag word -> the property it sets
    flag_words: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # code -> (property, word)

    def parse(self, raw: str) -> str | None:
        folded = fold(raw)
        code = self.lookup.get(folded)
        if code is None:
            code = next((c for suffix, c in self.suffixes if folded.endswith(suffix)), None)
        return code

    def flag(self, raw: str) -> str | None:
        """The property a word sets besides naming its value (中共预备党员: cpc_probationary)."""
        return self.flags.get(fold(raw))

    def label(self, code: str | None) -> str:
        return self.labels.get(code, code or "") if code else ""

    def worded(self, code: str, props: dict) -> str:
        """A stored value as a roster writes it again for a node of these properties: the
        word of a flag the node has (中共预备党员), else the code as stored."""
        for prop, word in self.flag_words.get(code, ()):
            if props.get(prop):
                return word
        return code


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str
    required: bool = False
    ref: str | None = None
    default: str | None = None
    text: str = "name"  # id, name or free (model.yaml)
    max_items: int | None = None  # list columns: distinct items one cell may hold

    @property
    def is_list(self) -> bool:
        return self.type.startswith("list:")

    @property
    def enum(self) -> str | None:
        base = self.type.removeprefix("list:")
        return base.removeprefix("enum:") if base.startswith("enum:") else None


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    aliases: tuple[str, ...]
    key: tuple[str, ...]
    columns: dict[str, Column]
    headers: dict[str, str] = field(default_factory=dict)  # folded header -> column
    flags: dict[str, str] = field(default_factory=dict)  # property an enum's flag sets -> its column

    def column_for(self, header: str) -> str | None:
        return self.headers.get(fold(header))

    @property
    def value_names(self) -> tuple[str, ...]:
        """What a clean row of the table holds: its columns, then the flags its words set."""
        return (*self.columns, *self.flags)


@dataclass(frozen=True)
class NodeKind:
    name: str
    label: str
    table: str | None


@dataclass(frozen=True)
class EdgeKind:
    name: str
    label: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    from_row: bool = False  # derived from the source's roster row, replaced on re-load
    table: str | None = None  # the roster table whose rows are edges of this kind


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may bring (model.yaml ``limits``)."""

    extra_columns: int = 100  # columns of a table beyond its own
    name_length: int = 100  # characters in such a column's name
    list_items: int = 50  # distinct items in one cell of a list column without its own max_items


@dataclass(frozen=True)
class Model:
    enums: dict[str, Enum]
    tables: dict[str, Table]
    nodes: dict[str, NodeKind]
    edges: dict[str, EdgeKind]
    target_nodes: dict[str, str]
    records: dict[str, str] = field(default_factory=dict)  # label -> Chinese label
    reserved: dict[str, frozenset[str]] = field(default_factory=dict)  # table -> property names the stores keep
    limits: Limits = field(default_factory=Limits)

    def reserved_names(self, table: str) -> frozenset[str]:
        """Property names a column or field of this table (beyond its own columns) may not
        take: the stores set or keep them themselves."""
        return self.reserved.get(table, frozenset())

    def table_for(self, name: str) -> Table | None:
        """The table a sheet or file is named after (English, Chinese or alias)."""
        folded = fold(name)
        for table in self.tables.values():
            if folded in {fold(table.name), fold(table.label), *map(fold, table.aliases)}:
                return table
        return None

    def label(self, enum: str, code: str | None) -> str:
        return self.enums[enum].label(code)

    def as_roster(self, table: str, props: dict) -> dict:
        """A node's properties as a roster row of its table gives them: without what the
        stores keep (model.yaml ``reserved``: cpc, cpc_probationary, …), and a value whose
        word set a flag written as that word again (中共预备党员), so the row loads back the
        same."""
        spec = self.tables[table]
        reserved = self.reserved_names(table)
        row = {k: v for k, v in props.items() if fold(k) not in reserved or k in spec.columns}
        for name in set(spec.flags.values()):
            enum = self.enums[spec.columns[name].enum]
            value = row.get(name)
            if value is not None:
                row[name] = [enum.worded(v, props) for v in value] if isinstance(value, list) else enum.worded(value, props)
        return row

    def row_edges(self, node_kind: str) -> list[str]:
        """Edge kinds derived from a node's roster row (replaced when it is re-loaded)."""
        return [e.name for e in self.edges.values() if e.from_row and node_kind in e.sources]


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _build_enum(name: str, spec: dict) -> Enum:
    if not isinstance(spec, dict) or not spec:
        raise ModelError(f"model: enum {name} has no values")
    labels, lookup, suffixes, flags, flag_words = {}, {}, {}, {}, {}
    for code, entry in spec.items():
        if not isinstance(entry, dict) or "label" not in entry:
            raise ModelError(f"model: enum {name}.{code} has no label")
        labels[code] = entry["label"]
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
    return Enum(name, labels, lookup, ordered, flags, flag_words)


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
        nodes = {
            name: NodeKind(name, spec["label"], spec.get("table")) for name, spec in doc["nodes"].items()
        }
        tables = {
            name: _build_table(name, spec, enums, set(nodes), limits.list_items) for name, spec in doc["tables"].items()
        }
        edges = {}
        for name, spec in doc["edges"].items():
            edge = EdgeKind(
                name, spec["label"], _as_tuple(spec["from"]), _as_tuple(spec["to"]), bool(spec.get("from_row")), spec.get("table")
            )
            unknown = set(edge.sources + edge.targets) - set(nodes)
            if unknown:
                raise ModelError(f"model: edge {name} names unknown nodes {sorted(unknown)}")
            edges[name] = edge
        target_nodes = dict(doc["target_nodes"])
        records = {name: spec["label"] for name, spec in (doc.get("records") or {}).items()}
        reserved = _build_reserved(doc.get("reserved") or {}, tables, nodes, edges)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"model: missing or malformed entry {exc}") from None
    if set(target_nodes) != set(enums["target_kind"].labels) or not set(target_nodes.values()) <= set(nodes):
        raise ModelError("model: target_nodes must map every target_kind to a node kind")
    for node in nodes.values():
        if node.table and node.table not in tables:
            raise ModelError(f"model: node {node.name} names unknown table {node.table}")
    if set(records) & (set(nodes) | set(edges)):
        raise ModelError("model: a record label must not also be a node or edge kind")
    for table in tables.values():
        if reserved[table.name] & set(map(fold, table.columns)):
            raise ModelError(f"model: table {table.name} has a column of a reserved name")
    return Model(enums, tables, nodes, edges, target_nodes, records, reserved, limits)


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


@cache
def model() -> Model:
    """The product's model, parsed once."""
    text = resources.files("liaison_graph.graph").joinpath("model.yaml").read_text(encoding="utf-8")
    return build_model(yaml.safe_load(text))
