"""The whole roster graph as the CSV files ``neo4j-admin database import full`` takes (Neo4j 5),
laid out as the Bolt store lays it out (``cypher/create_nodes.cypher``,
``create_edges.cypher``): each node labelled with its kind, its ``id`` a string property;
each relationship typed with its edge kind, carrying its key as the string ``key`` (empty for
an edge derived from a roster row); every other property under its own name, with the type
the driver gives the stored value (text, days as ISO text included: ``string``; ``boolean``,
``long``, ``double``; a list: the array of its items' type).

Per node kind one header file and one data file, headed ``id:ID(<kind>)``, ``:LABEL`` and the
typed properties; per relationship kind, source kind and target kind the same, headed
``:START_ID(<kind>)``, ``:END_ID(<kind>)``, ``:TYPE``, ``key:string`` and the rest. Ids are
unique only within a kind, so each kind is its own ID space. The store's own records
(tokens, sequences, change feed, audit trail) are not in a dump and are not written.

How the import tool reads a field decides how one is written: a property a node does not
hold is an empty field without quotes (no property); every value is written in quotes, so
an empty text stays an empty text; a quote inside is doubled; a line break inside needs
``--multiline-fields=true``, which the command then carries. What the import cannot give
back as stored is refused before anything is written, naming the node or relationship and
the field: an empty list, a list item that is empty text or holds the array delimiter, a
property holding values of two types, a property name with a colon (the header's
name/type separator).

The dump is walked twice, once to learn each file's columns and once to write its rows, one
at a time: no row is kept."""

from __future__ import annotations

import contextlib
import csv
import math
import os
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.model import model

ARRAY_DELIMITER = ";"  # the import tool's own default, named in the command all the same
SCALARS = ((bool, "boolean"), (int, "long"), (float, "double"), (str, "string"))  # bool before int
# Characters the import tool reads in a file argument: a comma separates files, the rest make
# a regular expression of the path.
PATH_SPECIALS = frozenset(",\\^$|?*+()[]{}")


class _Null:
    """A property the node does not hold: written as an empty field without quotes, which the
    import reads as no property (the csv module quotes every field that is not a number, and
    takes this for one)."""

    __slots__ = ()

    def __float__(self) -> float:
        return 0.0

    def __str__(self) -> str:
        return ""


NULL = _Null()


@dataclass
class File:
    """One header file and its data file: what they hold and the import argument naming them."""

    option: str  # "nodes" or "relationships"
    header: Path
    data: Path
    rows: int = 0

    @property
    def argument(self) -> str:
        return f"--{self.option}={self.header},{self.data}"


@dataclass
class Written:
    files: list[File] = field(default_factory=list)
    multiline: bool = False  # some field holds a line break

    def command(self, database: str = "neo4j") -> str:
        """The import's command line, shell-quoted."""
        args = ["neo4j-admin", "database", "import", "full", "--id-type=string",
                f"--array-delimiter={ARRAY_DELIMITER}"]
        args += ["--multiline-fields=true"] if self.multiline else []
        return shlex.join([*args, *(f.argument for f in self.files), database])


def _type(value) -> str | None:
    for python, name in SCALARS:
        if isinstance(value, python):
            return name
    return None


class Columns:
    """The typed columns of one file, learnt from the values: name -> import type."""

    def __init__(self) -> None:
        self.types: dict[str, str] = {}
        self.multiline = False

    def see(self, what: str, props: dict, skip: tuple[str, ...]) -> None:
        for name, value in props.items():
            if value is None or name in skip:
                continue
            kind = self._value_type(what, name, value)
            known = self.types.setdefault(name, kind)
            if known != kind:
                raise BadArgument(f"{what} 的字段「{name}」是 {kind}，同类的其他项是 {known}："
                                  "neo4j-admin 导入的一列只能有一种类型", field=name)

    def _value_type(self, what: str, name: str, value) -> str:
        if ":" in name:
            raise BadArgument(f"{what} 的字段名「{name}」含有冒号，neo4j-admin 的表头会把冒号后读作类型", field=name)
        if "\n" in name or "\r" in name:
            self.multiline = True
        if isinstance(value, list):
            if not value:
                raise BadArgument(f"{what} 的字段「{name}」是空列表：neo4j-admin 不导入空列表，导入后会缺少此字段", field=name)
            kinds = {_type(item) for item in value}
            if len(kinds) != 1 or None in kinds:
                raise BadArgument(f"{what} 的字段「{name}」是混合类型的列表，无法导出", field=name)
            for item in value:
                if item == "" or (isinstance(item, str) and ARRAY_DELIMITER in item):
                    raise BadArgument(f"{what} 的字段「{name}」中有一项{'为空' if item == '' else f'含有数组分隔符「{ARRAY_DELIMITER}」'}"
                                      f"（{item!r}）：neo4j-admin 导入时会把它拆开或丢掉", field=name, value=item)
                self.text(item)
            return f"{kinds.pop()}[]"
        kind = _type(value)
        if kind is None:
            raise BadArgument(f"{what} 的字段「{name}」的值类型 {type(value).__name__} 无法导出", field=name)
        self.text(value)
        return kind

    def text(self, value) -> None:
        if isinstance(value, str) and ("\n" in value or "\r" in value):
            self.multiline = True

    def header(self, lead: list[str]) -> list[str]:
        return lead + [f"{name}:{kind}" for name, kind in sorted(self.types.items())]

    def row(self, lead: list, props: dict) -> list:
        return lead + [_field(props.get(name)) for name in sorted(self.types)]


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    return value if isinstance(value, str) else repr(value)


def _field(value):
    if value is None:
        return NULL
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(map(_scalar, value))
    return _scalar(value)


def _node_name(kind: str, node_id: str) -> str:
    return f"{model().nodes[kind].label} {node_id}"


def _edge_name(rel: str, src: str, dst: str) -> str:
    return f"{model().edges[rel].label}（{rel}）{src}→{dst}"


def check(directory: Path) -> None:
    """Refuse, before anything is read or written, a folder the files cannot go into: one
    that holds anything, a file, one that cannot be created or written, or a path the import
    tool would read as a list of files or a regular expression."""
    path = Path(directory).absolute()
    specials = sorted(set(str(path)) & PATH_SPECIALS)
    if specials:
        raise BadArgument(f"导出目录 {path} 的路径含有 {' '.join(specials)}：neo4j-admin 会把它读作文件列表或正则表达式，"
                          "请换一个目录", field="--neo4j-admin", value=str(path))
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise BadArgument(f"{path} 已存在且不是目录，请给一个空目录或新目录", field="--neo4j-admin", value=str(path))
        if any(path.iterdir()):
            raise BadArgument(f"导出目录 {path} 不是空的：不覆盖已有文件，请给一个空目录或新目录",
                              field="--neo4j-admin", value=str(path))
        if not os.access(path, os.W_OK | os.X_OK):
            raise BadArgument(f"无法写入导出目录 {path}：没有写权限", field="--neo4j-admin", value=str(path))
        return
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise BadArgument(f"无法创建导出目录 {path}：{parent} 不是可写的目录", field="--neo4j-admin", value=str(path))


def write(dump: dict, directory: Path) -> Written:
    """Write ``dump`` (``Store.dump``) into ``directory`` (empty or new): learn every file's
    columns, refusing what the import cannot give back, then write the header files and, in
    one pass over the nodes and one over the relationships, every row to its data file. A
    failure removes what was written."""
    check(directory)
    path = Path(directory).absolute()
    nodes, edges = _learn(dump)
    written = Written(multiline=any(c.multiline for c in (*nodes.values(), *edges.values())))
    node_files = {kind: File("nodes", path / f"nodes-{kind}-header.csv", path / f"nodes-{kind}.csv")
                  for kind in sorted(nodes)}
    edge_files = {group: File("relationships", path / f"relationships-{'-'.join(group)}-header.csv",
                              path / f"relationships-{'-'.join(group)}.csv") for group in sorted(edges)}
    written.files = [*node_files.values(), *edge_files.values()]
    created = not path.exists()
    try:
        path.mkdir(parents=True, exist_ok=True)
        for kind, file in node_files.items():
            _header(file, nodes[kind].header([f"id:ID({kind})", ":LABEL"]))
        for (rel, src, dst), file in edge_files.items():
            _header(file, edges[(rel, src, dst)].header([f":START_ID({src})", f":END_ID({dst})", ":TYPE", "key:string"]))
        with _writers(node_files) as out:
            for (kind, node_id), props in dump["nodes"].items():
                out[kind](nodes[kind].row([node_id, kind], props))
        with _writers(edge_files) as out:
            for (rel, src_kind, src, dst_kind, dst, key), props in dump["edges"].items():
                group = (rel, src_kind, dst_kind)
                out[group](edges[group].row([src, dst, rel, key], props))
    except OSError as exc:
        _remove(written.files, path if created else None)
        raise BadArgument(f"无法写入导出目录 {path}：{exc.strerror or exc}", field="--neo4j-admin",
                          value=str(path)) from None
    except BaseException:
        _remove(written.files, path if created else None)
        raise
    return written


def _learn(dump: dict) -> tuple[dict[str, Columns], dict[tuple[str, str, str], Columns]]:
    nodes: dict[str, Columns] = {}
    for (kind, node_id), props in dump["nodes"].items():
        nodes.setdefault(kind, Columns()).see(_node_name(kind, node_id), props, ("id",))
    edges: dict[tuple[str, str, str], Columns] = {}
    for (rel, src_kind, src, dst_kind, dst, key), props in dump["edges"].items():
        columns = edges.setdefault((rel, src_kind, dst_kind), Columns())
        columns.see(_edge_name(rel, src, dst), props, ("key",))
        columns.text(key)
    return nodes, edges


def _csv(out):
    # Every field that is not a number in quotes: text, and so an empty text, as it is; NULL unquoted.
    return csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")


def _header(file: File, header: list[str]) -> None:
    with open(file.header, "x", encoding="utf-8", newline="") as out:
        _csv(out).writerow(header)


@contextlib.contextmanager
def _writers(files: dict) -> Iterator[dict]:
    """A function writing one row to each file's data file, the files open while inside."""
    with contextlib.ExitStack() as stack:
        out = {}
        for key, file in files.items():
            writer = _csv(stack.enter_context(open(file.data, "x", encoding="utf-8", newline="")))
            out[key] = _counting(writer, file)
        yield out


def _counting(writer, file: File):
    def row(values: list) -> None:
        writer.writerow(values)
        file.rows += 1
    return row


def _remove(files: list[File], folder: Path | None) -> None:
    for file in files:
        for target in (file.header, file.data):
            target.unlink(missing_ok=True)
    if folder is not None:
        try:
            folder.rmdir()
        except OSError:
            pass
