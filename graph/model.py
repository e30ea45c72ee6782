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
# The keys an entry may hold (model.yaml); an enum value may besides carry marks, true or false.
ENUM_VALUE_KEYS = {"label", "aliases", "suffixes", "flags"}
NODE_KEYS = {"label", "table", "stat", "seen_from", "grouping"}
EDGE_KEYS = {"label", "from", "to", "from_row", "table", "membership", "stat"}


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
    marks: dict[str, frozenset[str]] = field(default_factory=dict)  # mark -> the codes marked true

    def marked(self, mark: str) -> frozenset[str]:
        """The codes whose values carry ``mark`` (model.yaml: position.standing, …)."""
        if mark not in self.marks:
            raise ModelError(f"model: no value of enum {self.name} says whether it is {mark}")
        return self.marks[mark]

    def the(self, mark: str) -> str:
        """The one code whose value carries ``mark`` (party_org_kind.temporary)."""
        codes = self.marked(mark)
        if len(codes) != 1:
            raise ModelError(f"model: exactly one value of enum {self.name} must be {mark}, not {sorted(codes)}")
        return next(iter(codes))

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
    code: str = ""  # how policies, reports and the API name the kind (model.yaml node_codes)
    stat: str | None = None  # the key the stats report counts it under; None: not counted
    seen_from: str | None = None  # the member column a node of the kind is created from on first sight
    grouping: bool = False  # a grouping of members: reports break down by it, affinity compares it


@dataclass(frozen=True)
class EdgeKind:
    name: str
    label: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    from_row: bool = False  # derived from the source's roster row, replaced on re-load
    table: str | None = None  # the roster table whose rows are edges of this kind
    membership: bool = False  # the source (a member) sits in the target
    stat: str | None = None  # the key the stats report counts it under; None: not counted


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
    target_nodes: dict[str, str]  # target_kind code -> node kind
    records: dict[str, str] = field(default_factory=dict)  # label -> Chinese label
    reserved: dict[str, frozenset[str]] = field(default_factory=dict)  # table -> property names the stores keep
    limits: Limits = field(default_factory=Limits)
    node_codes: dict[str, str] = field(default_factory=dict)  # code -> node kind, in the column store's order
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)  # member column -> (node kind, edge kind)

    def marked(self, enum: str, mark: str) -> frozenset[str]:
        """The codes of an enum whose values carry ``mark`` (affiliation.democratic, …)."""
        return self.enums[enum].marked(mark)

    def the(self, enum: str, mark: str) -> str:
        """The one code of an enum whose value carries ``mark`` (party_org_kind.temporary)."""
        return self.enums[enum].the(mark)

    def kind_codes(self) -> dict[str, str]:
        """Node kind -> its code (member, sector, …), in the column store's order."""
        return {kind: code for code, kind in self.node_codes.items()}

    def stat_keys(self) -> dict[str, str]:
        """What the stats report counts: its key (the plural name) -> node or edge kind."""
        kinds = [*self.nodes.values(), *self.edges.values()]
        return {kind.stat: kind.name for kind in kinds if kind.stat}

    def membership(self) -> dict[str, str]:
        """The membership edge kinds (a member sits in the target) -> their target node kind."""
        return {e.name: e.targets[0] for e in self.edges.values() if e.membership}

    def groupings(self) -> dict[str, str]:
        """The groupings of members a report breaks down by: code -> the membership edge
        kind into it."""
        into = {target: edge for edge, target in self.membership().items()}
        return {n.code: into[n.name] for n in self.nodes.values() if n.grouping}

    def seen_nodes(self) -> dict[str, str]:
        """Member column -> the node kind created on first sight from it (sector, …)."""
        return {column: kind for column, (kind, _) in self.seen.items()}

    def seen_edges(self) -> dict[str, str]:
        """Member column -> the edge kind from the member to the node it names."""
        return {column: edge for column, (_, edge) in self.seen.items()}

    def node_tables(self) -> dict[str, str]:
        """Roster table -> the node kind its rows are."""
        return {n.table: n.name for n in self.nodes.values() if n.table}

    def edge_tables(self) -> dict[str, str]:
        """Roster table -> the edge kind its rows are (liaisons, contacts)."""
        return {e.table: e.name for e in self.edges.values() if e.table}

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
                                   spec.get("seen_from"), _flag(f"node {name}", spec, "grouping"))
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


@cache
def model() -> Model:
    """The product's model, parsed once (with libyaml where it is built in: several times
    faster, and the modules that name kinds read the model as they are imported)."""
    text = resources.files("liaison_graph.graph").joinpath("model.yaml").read_text(encoding="utf-8")
    return build_model(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
