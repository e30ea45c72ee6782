"""What the model is made of: vocabularies (enums), roster tables and columns, node and
edge kinds, the bounds on a file, and the folding by which headers and vocabulary cells
are matched. Built from ``model.yaml`` by ``graph/model_build.py``; asked through
``graph/model.py``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from liaison_graph.graph.errors import ModelError

COLUMN_TYPES = {"str", "date", "list:str"}
TEXT_KINDS = {"id", "name", "free"}  # how a text column's characters are read (see model.yaml)
# The keys an entry may hold (model.yaml); an enum value may besides carry marks, true or false.
ENUM_VALUE_KEYS = {"label", "aliases", "suffixes", "flags"}
NODE_KEYS = {"label", "table", "stat", "seen_from", "grouping", "term"}
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
    term: bool = False  # a node of the kind holds only from its start_date to its end_date


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
