"""The two flagship gaps from indexes the embedded store maintains on every write: the fast
form of the flagship rules, written from their declaration (``graph/flagship.py``: FORMS,
read off the ``two-coverages`` policy) and held to the policy's evaluation on a view by
``tests/questions/test_properties.py``.

Two tables live beside ``nodes`` and ``edges`` in the store's file and change in the same
transaction as the data they are derived from:

* ``member_index``: one row per member (committee, CPC or not, term, name, sector);
* ``cover_spans``: for each member and rule, the day ranges on which something covers them,
  as the rule's form says — an edge that holds from a coverer that holds, the range cut to
  both (a liaison from a CPC member, cut to the source's term; a membership of a party
  organisation, cut to the organisation's range).

A member is a gap of a rule on day d when the rule applies to them (their term holds on d,
their CPC flag is the rule's) and no span of theirs holds on d. Only the members a write
touches are recomputed. Questions are answered from numpy arrays loaded once from those
tables (members sorted by committee, so one committee is a slice): the cost follows the
answer, not the graph. Days are those of ``graph/days.py``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np
from liaison_graph.graph import days
from liaison_graph.graph.errors import ModelError
from liaison_graph.graph.flagship import FORMS, Form
from liaison_graph.graph.model import model
from liaison_graph.graph.model_types import fold
from liaison_graph.graph.parts import gap_item

_M = model()


def _text(value: str) -> str:
    """A string as an SQL literal."""
    return "'" + value.replace("'", "''") + "'"


def _checked(kind: str, name: str) -> str:
    """A property of a node of ``kind`` (a column of its roster table, or one the stores
    keep), refused if the model has no such property."""
    table = _M.nodes[kind].table
    if table is None or (name not in _M.tables[table].columns and fold(name) not in _M.reserved_names(table)):
        raise ModelError(f"缺口索引：模型中的 {kind} 没有属性「{name}」")
    return name


def _prop(alias: str, kind: str, name: str) -> str:
    """The SQL of a property of a node of ``kind`` (see ``_checked``)."""
    return f"json_extract({alias}.props, '$.{_checked(kind, name)}')"


def _dated(kind: str | None) -> bool:
    """Whether a node of ``kind`` has a range of its own (its roster table has dates); an
    edge (``kind`` None) always has."""
    if kind is None:
        return True
    table = _M.nodes[kind].table
    return table is not None and "start_date" in _M.tables[table].columns


def _dates(alias: str, kind: str | None = None) -> tuple[str, str]:
    """The SQL of the first and last day of a node of ``kind``'s range (open where its
    roster table has no dates), or of an edge's (``kind`` None)."""
    if not _dated(kind):
        return str(days.OPEN_START), str(days.OPEN_END)
    if kind is None:
        start, end = (f"json_extract({alias}.props, '$.{name}')" for name in ("start_date", "end_date"))
    else:
        start, end = _prop(alias, kind, "start_date"), _prop(alias, kind, "end_date")
    return days.sql(start, days.OPEN_START), days.sql(end, days.OPEN_END)


class Plan:
    """The index's SQL, written from the flagship rules' forms: which members it indexes,
    what makes a span for each rule, and which members a write touches."""

    def __init__(self, forms: dict[str, Form]):
        self.forms = forms
        (kind,) = {f.kind for f in forms.values()}
        self.kind = kind  # the nodes the index holds a row for (members)
        self.watched = tuple(dict.fromkeys((kind, *(f.by for f in forms.values()))))  # kinds whose writes matter
        # edge kind -> the end at which an item of the index sits ("src" or "dst")
        self.item_end = {f.edge: ("dst" if f.way == "liaison" else "src") for f in forms.values()}
        if len(self.item_end) != len({(f.edge, f.way) for f in forms.values()}):
            raise ModelError("缺口索引：同一种边不能按两种方式覆盖")
        start, end = _dates("n", kind)
        self.refresh = [
            "DELETE FROM member_index WHERE id IN (SELECT id FROM temp.affected)",
            "DELETE FROM cover_spans WHERE member_id IN (SELECT id FROM temp.affected)",
            f"""INSERT INTO member_index (id, committee_id, cpc, start_day, end_day, name, sector)
                SELECT n.id, n.committee_id, coalesce({_prop("n", kind, "cpc")}, 0), {start}, {end},
                       {_prop("n", kind, "name")}, {_prop("n", kind, "sector")}
                FROM nodes n WHERE n.kind = {_text(kind)} AND n.id IN (SELECT id FROM temp.affected)""",
            *(self._spans(f) for f in forms.values()),
        ]
        self.spread = list(dict.fromkeys(self._spread(f) for f in forms.values()))

    def _spans(self, f: Form) -> str:
        e_start, e_end = _dates("e")
        if f.way == "liaison":
            # the source's term and party from its index row (up to date: a source the write
            # touched is itself among the affected, whose rows the statement before wrote)
            first, last = f"max({e_start}, o.start_day)", f"min({e_end}, o.end_day)"
            party = "" if len(f.by_cpc) > 1 else f" AND o.cpc = {int(f.by_cpc[0])}"
            return f"""INSERT INTO cover_spans (rule, member_id, start_day, end_day)
                SELECT {_text(f.rule)}, e.dst, {first}, {last}
                FROM edges e JOIN member_index o ON o.id = e.src
                WHERE e.kind = {_text(f.edge)} AND e.src_kind = {_text(f.by)} AND e.dst_kind = {_text(f.kind)}
                  AND e.dst IN (SELECT id FROM temp.affected){party} AND {first} <= {last}"""
        o_start, o_end = _dates("o", f.by)
        first, last = f"max({e_start}, {o_start})", f"min({e_end}, {o_end})"
        return f"""INSERT INTO cover_spans (rule, member_id, start_day, end_day)
            SELECT {_text(f.rule)}, e.src, {first}, {last}
            FROM edges e JOIN nodes o ON o.kind = {_text(f.by)} AND o.id = e.dst
            WHERE e.kind = {_text(f.edge)} AND e.src_kind = {_text(f.kind)} AND e.dst_kind = {_text(f.by)}
              AND e.src IN (SELECT id FROM temp.affected) AND {first} <= {last}"""

    @staticmethod
    def _spread(f: Form) -> str:
        """The members a written coverer affects: a source whose term or party changed, its
        targets; an organisation, its members. CROSS JOIN: from what the batch touched to its
        edges through an index (left to choose, SQLite read every liaison or membership of
        the store on each write)."""
        near, far = ("src", "dst") if f.way == "liaison" else ("dst", "src")
        return f"""INSERT OR IGNORE INTO temp.affected
                   SELECT e.{far} FROM temp.touched t CROSS JOIN edges e ON e.{near}_kind = {_text(f.by)}
                    AND e.{near} = t.id AND e.kind = {_text(f.edge)}
                   WHERE t.kind = {_text(f.by)} AND e.{far}_kind = {_text(f.kind)}"""

    def direct(self, batch) -> set[str]:
        """The members a batch writes, or writes an edge of a rule to."""
        kind, item_end = self.kind, self.item_end
        out = set(batch.nodes.get(kind, {}))
        for e in batch.edges:
            end = item_end.get(e.kind)
            if end == "dst" and e.dst_kind == kind:
                out.add(e.dst)
            elif end == "src" and e.src_kind == kind:
                out.add(e.src)
        return out


PLAN = Plan(FORMS)  # the index of the two-coverages policy's rules


def refresh(db: sqlite3.Connection, batch=None) -> int:
    """Recompute the index rows of every member a batch touches (all members when
    ``batch`` is None), inside the caller's transaction. Returns how many."""
    plan = PLAN
    db.execute("CREATE TEMP TABLE IF NOT EXISTS affected (id TEXT PRIMARY KEY)")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (kind TEXT, id TEXT, PRIMARY KEY (kind, id))")
    db.execute("DELETE FROM temp.affected")
    db.execute("DELETE FROM temp.touched")
    if batch is None:
        db.execute("INSERT INTO temp.affected SELECT id FROM nodes WHERE kind = ?", (plan.kind,))
        db.execute("INSERT OR IGNORE INTO temp.affected SELECT id FROM member_index")
    else:
        db.executemany("INSERT OR IGNORE INTO temp.touched VALUES (?, ?)",
                       ((kind, nid) for kind in plan.watched for nid in batch.nodes.get(kind, {})))
        db.executemany("INSERT OR IGNORE INTO temp.affected VALUES (?)", ((m,) for m in plan.direct(batch)))
        for statement in plan.spread:
            db.execute(statement)
    for statement in plan.refresh:
        db.execute(statement)
    return db.execute("SELECT count(*) FROM temp.affected").fetchone()[0]


def fill_from_columns(db: sqlite3.Connection, columns) -> bool:
    """The whole index of a first import into an empty file, worked out by the rules' forms
    from the batch's own columns (``columns.properties(kind, names)``: its nodes' properties
    as columns; ``columns.edge_frame``: its edges, properties as JSON; loaders.framebatch)
    instead of by the SQL over the rows just written: the same rows, ``cover_spans`` in the
    order the SQL writes them. Held to ``refresh(db, None)`` by tests/loaders/test_frames.py.
    False, with nothing written, when the columns do not hold a property the index reads or
    a day is not the ISO text the loaders write: the SQL reads the rows then. The column
    engine is loaded only here, for a batch that holds it already."""
    import polars as pl

    def days_of(frame: pl.DataFrame, dated: bool, prefix: str) -> pl.DataFrame | None:
        """start_date and end_date as days (``prefix``start, ``prefix``end; open ends where
        there is none or the kind has no range), or None for a day not written as ISO text."""
        if not dated:
            return frame.with_columns(pl.lit(days.OPEN_START, pl.Int64).alias(f"{prefix}start"),
                                      pl.lit(days.OPEN_END, pl.Int64).alias(f"{prefix}end"))
        out = []
        for name, column, open_value in (("start", "start_date", days.OPEN_START), ("end", "end_date", days.OPEN_END)):
            parsed, not_iso = days.column_day(pl.col(column))  # any other text is left to the SQL
            if frame.select(not_iso.any()).item():
                return None
            out.append(parsed.cast(pl.Int64).fill_null(open_value).alias(f"{prefix}{name}"))
        return frame.with_columns(out).drop("start_date", "end_date")

    def nodes(kind: str, names: tuple[str, ...], prefix: str) -> pl.DataFrame | None:
        """id, committee_id, the named properties and the range of the batch's nodes of ``kind``."""
        dated = _dated(kind)
        wanted = [_checked(kind, name) for name in (*names, *(("start_date", "end_date") if dated else ()))]
        if kind not in columns.node_frames:  # none in the file: nothing of theirs to index
            frame = pl.DataFrame(schema={"id": pl.String, "committee_id": pl.String, **dict.fromkeys(wanted, pl.String)})
        else:
            frame = columns.properties(kind, wanted)
        return None if frame is None else days_of(frame, dated, prefix)

    def edges(f: Form, src_kind: str, dst_kind: str) -> pl.DataFrame | None:
        """src, dst, key and the range of the batch's edges of a rule's kind between two kinds."""
        found = columns.edge_frame.filter((pl.col("kind") == f.edge) & (pl.col("src_kind") == src_kind)
                                          & (pl.col("dst_kind") == dst_kind))
        dates = pl.col("props").str.json_decode(pl.Struct({"start_date": pl.String, "end_date": pl.String}))
        return days_of(found.select("src", "dst", "key", dates.alias("_dates")).unnest("_dates"), True, "e_")

    plan = PLAN
    try:
        members = nodes(plan.kind, ("cpc", "name", "sector"), "")
        if members is None:
            return False
        index = members.select("id", "committee_id", pl.col("cpc").cast(pl.Boolean).fill_null(False).cast(pl.Int64),
                               "start", "end", "name", "sector")
        items = index.select("id")
        spans = []
        for f in plan.forms.values():
            if f.way == "liaison":  # the source's term and party from its index row; the item is the target
                found = edges(f, f.by, f.kind)
                coverers = index.select(pl.col("id").alias("src"), "cpc", pl.col("start").alias("o_start"),
                                        pl.col("end").alias("o_end"))
                if len(f.by_cpc) == 1:
                    coverers = coverers.filter(pl.col("cpc") == int(f.by_cpc[0]))
                item, end, order = "dst", "src", ["dst", "src", "key"]
            else:  # the item is the source, covered within the organisation's range
                found = edges(f, f.kind, f.by)
                coverers = nodes(f.by, (), "o_")
                coverers = None if coverers is None else coverers.select(pl.col("id").alias("dst"), "o_start", "o_end")
                item, end, order = "src", "dst", ["src", "dst", "key"]
            if found is None or coverers is None:
                return False
            first, last = pl.max_horizontal("e_start", "o_start"), pl.min_horizontal("e_end", "o_end")
            spans.append(found.join(coverers, on=end, how="inner").join(items.rename({"id": item}), on=item, how="semi")
                         .with_columns(first.alias("_first"), last.alias("_last"))
                         .filter(pl.col("_first") <= pl.col("_last")).sort(order)
                         .select(pl.lit(f.rule).alias("rule"), pl.col(item), "_first", "_last"))
    except pl.exceptions.PolarsError:
        return False
    db.executemany("INSERT INTO member_index (id, committee_id, cpc, start_day, end_day, name, sector) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", index.iter_rows())
    for rows in spans:
        db.executemany("INSERT INTO cover_spans (rule, member_id, start_day, end_day) VALUES (?, ?, ?, ?)",
                       rows.iter_rows())
    return True


@dataclass
class Spans:
    member: np.ndarray  # index into the member arrays, sorted
    start: np.ndarray
    end: np.ndarray


class GapIndex:
    """The index tables as arrays, members sorted by (committee, id)."""

    def __init__(self, db: sqlite3.Connection):
        self.forms = PLAN.forms
        rows = db.execute("SELECT id, committee_id, cpc, start_day, end_day, name, sector FROM member_index "
                          "ORDER BY committee_id, id").fetchall()
        self.ids = [r[0] for r in rows]
        self.committee = [r[1] for r in rows]
        self.names = [r[5] for r in rows]
        self.sectors = [r[6] for r in rows]
        self.cpc = np.fromiter((r[2] for r in rows), dtype=bool, count=len(rows))
        self.start = np.fromiter((r[3] for r in rows), dtype=np.int32, count=len(rows))
        self.end = np.fromiter((r[4] for r in rows), dtype=np.int32, count=len(rows))
        self._items: list[dict | None] = [None] * len(rows)
        position = {mid: i for i, mid in enumerate(self.ids)}
        self.ranges: dict[str, tuple[int, int]] = {}
        for i, cid in enumerate(self.committee):
            lo, _ = self.ranges.get(cid, (i, i))
            self.ranges[cid] = (lo, i + 1)
        self.committee_ids = list(self.ranges)  # in member order
        self.codes = np.repeat(np.arange(len(self.committee_ids), dtype=np.int32),
                               [hi - lo for lo, hi in self.ranges.values()])
        self.spans: dict[str, Spans] = {}
        for rule in self.forms:
            found = db.execute("SELECT member_id, start_day, end_day FROM cover_spans WHERE rule = ?", (rule,)).fetchall()
            member = np.fromiter((position.get(r[0], -1) for r in found), dtype=np.int64, count=len(found))
            start = np.fromiter((r[1] for r in found), dtype=np.int32, count=len(found))
            end = np.fromiter((r[2] for r in found), dtype=np.int32, count=len(found))
            order = np.argsort(member, kind="stable")
            keep = member[order] >= 0
            self.spans[rule] = Spans(member[order][keep], start[order][keep], end[order][keep])

    def _population_and_gaps(self, rule: str, day: str, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Over members lo..hi: whom the rule applies to on the day, and who of them is a gap."""
        d = days.day(day)
        applies = (self.start[lo:hi] <= d) & (self.end[lo:hi] >= d) & (self.cpc[lo:hi] == self.forms[rule].cpc)
        wanted = applies.copy()
        spans = self.spans[rule]
        a, b = np.searchsorted(spans.member, (lo, hi))
        holding = (spans.start[a:b] <= d) & (spans.end[a:b] >= d)
        wanted[spans.member[a:b][holding] - lo] = False
        return applies, wanted

    def gaps(self, rule: str, day: str, committee_id: str | None = None) -> list[dict]:
        lo, hi = (0, len(self.ids)) if committee_id is None else self.ranges.get(committee_id, (0, 0))
        _, wanted = self._population_and_gaps(rule, day, lo, hi)
        return [self.item(i) for i in (np.flatnonzero(wanted) + lo).tolist()]

    def counts(self, rule: str, day: str, committee_ids=None) -> dict[str, tuple[int, int]]:
        """committee -> (members the rule applies to, those covered): two counts per
        committee over the member arrays."""
        applies, gaps = self._population_and_gaps(rule, day, 0, len(self.ids))
        n = len(self.committee_ids)
        total = np.bincount(self.codes, weights=applies, minlength=n).astype(int).tolist()
        missing = np.bincount(self.codes, weights=gaps, minlength=n).astype(int).tolist()
        return {cid: (t, t - m) for cid, t, m in zip(self.committee_ids, total, missing, strict=True)
                if committee_ids is None or cid in committee_ids}

    def item(self, i: int) -> dict:
        """A member's answer object, built once and shared by every answer (read-only)."""
        found = self._items[i]
        if found is None:
            found = self._items[i] = gap_item({"id": self.ids[i], "name": self.names[i],
                                               "committee_id": self.committee[i], "sector": self.sectors[i]})
        return found


def committee_counts(db: sqlite3.Connection, rule: str, day: str, committee_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Some committees' counts (see ``GapIndex.counts``) straight from the index tables."""
    d = days.day(day)
    marks = ",".join("?" * len(committee_ids))
    rows = db.execute(
        f"""SELECT m.committee_id, count(*), sum(EXISTS (SELECT 1 FROM cover_spans c WHERE c.member_id = m.id
                                                         AND c.rule = ? AND c.start_day <= ? AND c.end_day >= ?))
            FROM member_index m
            WHERE m.committee_id IN ({marks}) AND m.cpc = ? AND m.start_day <= ? AND m.end_day >= ?
            GROUP BY m.committee_id""", (rule, d, d, *committee_ids, int(PLAN.forms[rule].cpc), d, d))
    return {cid: (total, covered) for cid, total, covered in rows}


def committee_gaps(db: sqlite3.Connection, rule: str, day: str, committee_id: str | None) -> list[dict]:
    """One committee's gaps (None: the whole store's, by committee then id, as the arrays
    give them) straight from the index tables, no arrays to load: what a single
    command-line question needs."""
    d = days.day(day)
    where = "m.committee_id = ? AND " if committee_id is not None else ""
    rows = db.execute(
        f"""SELECT m.id, m.name, m.committee_id, m.sector FROM member_index m
           WHERE {where}m.cpc = ? AND m.start_day <= ? AND m.end_day >= ?
             AND NOT EXISTS (SELECT 1 FROM cover_spans c WHERE c.member_id = m.id AND c.rule = ?
                             AND c.start_day <= ? AND c.end_day >= ?)
           ORDER BY m.committee_id, m.id""",
        (*([committee_id] if committee_id is not None else []), int(PLAN.forms[rule].cpc), d, d, rule, d, d))
    return [gap_item({"id": i, "name": n, "committee_id": c, "sector": s}) for i, n, c, s in rows]
