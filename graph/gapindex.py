"""The two flagship gaps from indexes the embedded store maintains on every write.

Two tables live beside ``nodes`` and ``edges`` in the store's file and change in the same
transaction as the data they are derived from:

* ``member_index``: one row per member (committee, CPC or not, term, name, sector);
* ``cover_spans``: for each member and rule, the day ranges on which something covers them
  — a liaison from a CPC member (the liaison's range cut to the source's term) for
  ``non-party-without-liaison``; a party-organisation membership (cut to the
  organisation's range) for ``party-member-unorganised``.

A member is a gap of a rule on day d when their term holds on d and no span of theirs
does. Only the members a write touches are recomputed. Questions are answered from numpy
arrays loaded once from those tables (members sorted by committee, so one committee is a
slice): the cost follows the answer, not the graph. Days are integers YYYYMMDD; an open
end is 0 or 99991231.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from liaison_graph.graph.store import gap_item
from liaison_graph.graph.flagship import RULE_CPC, RULE_FOR

OPEN_START, OPEN_END = 0, 99991231

SCHEMA = """
CREATE TABLE IF NOT EXISTS member_index (
    id TEXT PRIMARY KEY,
    committee_id TEXT,
    cpc INTEGER NOT NULL,
    start_day INTEGER NOT NULL,
    end_day INTEGER NOT NULL,
    name TEXT,
    sector TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS member_index_by_committee ON member_index (committee_id, id);
CREATE TABLE IF NOT EXISTS cover_spans (
    rule TEXT NOT NULL,
    member_id TEXT NOT NULL,
    start_day INTEGER NOT NULL,
    end_day INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cover_spans_by_member ON cover_spans (member_id);
"""


def _day(expr: str, open_value: int) -> str:
    return f"coalesce(CAST(replace({expr}, '-', '') AS INTEGER), {open_value})"


def _later(a: str, b: str) -> str:
    return f"max({a}, {b})"


def _earlier(a: str, b: str) -> str:
    return f"min({a}, {b})"


_E_START, _E_END = _day("json_extract(e.props, '$.start_date')", OPEN_START), _day("json_extract(e.props, '$.end_date')", OPEN_END)
_O_START, _O_END = _day("json_extract(o.props, '$.start_date')", OPEN_START), _day("json_extract(o.props, '$.end_date')", OPEN_END)

def _text(value: str) -> str:
    """A string as an SQL literal."""
    return "'" + value.replace("'", "''") + "'"


REFRESH = [
    "DELETE FROM member_index WHERE id IN (SELECT id FROM temp.affected)",
    "DELETE FROM cover_spans WHERE member_id IN (SELECT id FROM temp.affected)",
    f"""INSERT INTO member_index (id, committee_id, cpc, start_day, end_day, name, sector)
        SELECT n.id, n.committee_id, coalesce(json_extract(n.props, '$.cpc'), 0),
               {_day("json_extract(n.props, '$.start_date')", OPEN_START)},
               {_day("json_extract(n.props, '$.end_date')", OPEN_END)},
               json_extract(n.props, '$.name'), json_extract(n.props, '$.sector')
        FROM nodes n WHERE n.kind = 'Member' AND n.id IN (SELECT id FROM temp.affected)""",
    # the source's term and party from its index row (up to date: a source the write
    # touched is itself among the affected, whose rows the statement above wrote)
    f"""INSERT INTO cover_spans (rule, member_id, start_day, end_day)
        SELECT {_text(RULE_FOR[False])}, e.dst, {_later(_E_START, "o.start_day")}, {_earlier(_E_END, "o.end_day")}
        FROM edges e JOIN member_index o ON o.id = e.src
        WHERE e.kind = 'LIAISES_WITH' AND e.src_kind = 'Member' AND e.dst_kind = 'Member'
          AND e.dst IN (SELECT id FROM temp.affected) AND o.cpc = 1
          AND {_later(_E_START, "o.start_day")} <= {_earlier(_E_END, "o.end_day")}""",
    f"""INSERT INTO cover_spans (rule, member_id, start_day, end_day)
        SELECT {_text(RULE_FOR[True])}, e.src, {_later(_E_START, _O_START)}, {_earlier(_E_END, _O_END)}
        FROM edges e JOIN nodes o ON o.kind = 'PartyOrg' AND o.id = e.dst
        WHERE e.kind = 'IN_PARTY_ORG' AND e.src_kind = 'Member' AND e.dst_kind = 'PartyOrg'
          AND e.src IN (SELECT id FROM temp.affected)
          AND {_later(_E_START, _O_START)} <= {_earlier(_E_END, _O_END)}""",
]


def refresh(db: sqlite3.Connection, batch=None) -> int:
    """Recompute the index rows of every member a batch touches (all members when
    ``batch`` is None), inside the caller's transaction. Returns how many."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS affected (id TEXT PRIMARY KEY)")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (kind TEXT, id TEXT, PRIMARY KEY (kind, id))")
    db.execute("DELETE FROM temp.affected")
    db.execute("DELETE FROM temp.touched")
    if batch is None:
        db.execute("INSERT INTO temp.affected SELECT id FROM nodes WHERE kind = 'Member'")
        db.execute("INSERT OR IGNORE INTO temp.affected SELECT id FROM member_index")
    else:
        db.executemany("INSERT OR IGNORE INTO temp.touched VALUES (?, ?)",
                       ((kind, nid) for kind in ("Member", "PartyOrg") for nid in batch.nodes.get(kind, {})))
        direct = set(batch.nodes.get("Member", {}))
        for e in batch.edges:
            if e.kind == "LIAISES_WITH" and e.dst_kind == "Member":
                direct.add(e.dst)
            elif e.kind == "IN_PARTY_ORG" and e.src_kind == "Member":
                direct.add(e.src)
        db.executemany("INSERT OR IGNORE INTO temp.affected VALUES (?)", ((m,) for m in direct))
        # a source whose term or party changed changes its targets; an organisation its members.
        # CROSS JOIN: from what the batch touched to its edges through an index (left to
        # choose, SQLite read every liaison or membership of the store on each write)
        db.execute("""INSERT OR IGNORE INTO temp.affected
                      SELECT e.dst FROM temp.touched t CROSS JOIN edges e ON e.src_kind = 'Member' AND e.src = t.id
                       AND e.kind = 'LIAISES_WITH' WHERE t.kind = 'Member' AND e.dst_kind = 'Member'""")
        db.execute("""INSERT OR IGNORE INTO temp.affected
                      SELECT e.src FROM temp.touched t CROSS JOIN edges e ON e.dst_kind = 'PartyOrg' AND e.dst = t.id
                       AND e.kind = 'IN_PARTY_ORG' WHERE t.kind = 'PartyOrg' AND e.src_kind = 'Member'""")
    for statement in REFRESH:
        db.execute(statement)
    return db.execute("SELECT count(*) FROM temp.affected").fetchone()[0]


def as_day(day: str) -> int:
    return int(day.replace("-", ""))


@dataclass
class Spans:
    member: np.ndarray  # index into the member arrays, sorted
    start: np.ndarray
    end: np.ndarray


class GapIndex:
    """The index tables as arrays, members sorted by (committee, id)."""

    def __init__(self, db: sqlite3.Connection):
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
        for rule in RULE_CPC:
            found = db.execute("SELECT member_id, start_day, end_day FROM cover_spans WHERE rule = ?", (rule,)).fetchall()
            member = np.fromiter((position.get(r[0], -1) for r in found), dtype=np.int64, count=len(found))
            start = np.fromiter((r[1] for r in found), dtype=np.int32, count=len(found))
            end = np.fromiter((r[2] for r in found), dtype=np.int32, count=len(found))
            order = np.argsort(member, kind="stable")
            keep = member[order] >= 0
            self.spans[rule] = Spans(member[order][keep], start[order][keep], end[order][keep])

    def _population_and_gaps(self, rule: str, day: str, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Over members lo..hi: whom the rule applies to on the day, and who of them is a gap."""
        d = as_day(day)
        applies = (self.start[lo:hi] <= d) & (self.end[lo:hi] >= d) & (self.cpc[lo:hi] == RULE_CPC[rule])
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
    d = as_day(day)
    marks = ",".join("?" * len(committee_ids))
    rows = db.execute(
        f"""SELECT m.committee_id, count(*), sum(EXISTS (SELECT 1 FROM cover_spans c WHERE c.member_id = m.id
                                                         AND c.rule = ? AND c.start_day <= ? AND c.end_day >= ?))
            FROM member_index m
            WHERE m.committee_id IN ({marks}) AND m.cpc = ? AND m.start_day <= ? AND m.end_day >= ?
            GROUP BY m.committee_id""", (rule, d, d, *committee_ids, int(RULE_CPC[rule]), d, d))
    return {cid: (total, covered) for cid, total, covered in rows}


def committee_gaps(db: sqlite3.Connection, rule: str, day: str, committee_id: str) -> list[dict]:
    """One committee's gaps straight from the index tables (no arrays to load): what a
    single command-line question needs."""
    d = as_day(day)
    rows = db.execute(
        """SELECT m.id, m.name, m.committee_id, m.sector FROM member_index m
           WHERE m.committee_id = ? AND m.cpc = ? AND m.start_day <= ? AND m.end_day >= ?
             AND NOT EXISTS (SELECT 1 FROM cover_spans c WHERE c.member_id = m.id AND c.rule = ?
                             AND c.start_day <= ? AND c.end_day >= ?)
           ORDER BY m.id""", (committee_id, int(RULE_CPC[rule]), d, d, rule, d, d))
    return [gap_item({"id": i, "name": n, "committee_id": c, "sector": s}) for i, n, c, s in rows]
