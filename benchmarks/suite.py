"""The benchmark suite: the product next to the tools an analyst would reach for instead,
on the same generated files, in one run.

    python -m benchmarks.suite [--scales county,province,nation] [--out benchmarks/results]

For each scale it generates the roster (seed 1) and measures the product (the embedded
store): CSV and XLSX load throughput (the same roster as one workbook), the first gap for
one county and for the whole store (warm, median of runs), the same county from a fresh
CLI process, a full policy report by committee (warm in a running process from the columns the
store keeps; as a CLI process; the first after the import, which builds those columns; after
an edit of one member, which the columns follow; and, below nation scale, on the graph's view),
one committee's report (the county's warm in a running process; as a CLI process for the
county and each level above it below the top),
the two full coverages by committee from the maintained indexes (warm, and as a CLI
process), reach with K = 3 from a party group and a recommendation for one county (each
the median of its runs), the lookups (``benchmarks/lookups.py``: the first page of members
and of sectors and the token's own committee, for a token of the top committee and for
the county's, warm through the application), the token check every request pays first
(``benchmarks/tokens.py``: for a token of the top committee and of the county, with a token
for every committee; the top committee's scope afresh and kept), what is due at province and
nation (``benchmarks/ledger.py``: a county's and the whole store's as CLI processes, a member's
own warm), and — at county scale — the county gap
endpoint under 50 concurrent clients. The peers answer the first gap (non-party members without a CPC
liaison) and the two full coverages by committee from the same CSVs: DuckDB SQL, SQLite
with indexes, a plain networkx script (which also reads the workbook, for the XLSX load,
and answers the reach from the same party group), and the embedded Cypher database ladybug; the product's Bolt store on an ArcadeDB server
loads the county and the province (and gives the county's report). Every peer figure is
given as the product's speed-up over it (> 1: the product is faster). It writes
``results.md`` and ``results.json`` with the machine it ran on, and which targets were met.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import a_county

DAY = dt.date(2026, 6, 30)
DAYN = 20260630
RULE = "non-party-without-liaison"
OPEN_END = 99991231


def timed(fn, repeat: int = 1):
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def peak_mb(command: list[str]) -> float | None:
    """A command's own peak resident memory, through /usr/bin/time when the machine has it
    (a child's figure from getrusage would carry this process's high-water mark)."""
    if not Path("/usr/bin/time").exists():
        return None
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], check=True, capture_output=True, text=True)
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def day_int(text: str, open_value: int) -> int:
    return int(text.replace("-", "")) if text else open_value


def rows_in(folder: Path) -> int:
    return sum(sum(1 for _ in f.open(encoding="utf-8-sig")) - 1 for f in folder.glob("*.csv"))


def levels_above(folder: Path, county: str) -> dict[str, str]:
    """level -> committee, for the county and each committee above it but the top one (whose
    report is the whole store's)."""
    with (folder / "committees.csv").open(encoding="utf-8-sig") as fh:
        committees = {r["id"]: r for r in csv.DictReader(fh)}
    out, cid = {}, county
    while cid and committees[cid]["parent_id"]:
        out[committees[cid]["level"]] = cid
        cid = committees[cid]["parent_id"]
    return out


# --- the product ---------------------------------------------------------------------------------
def product(folder: Path, work: Path, scale: str) -> dict:
    from liaison_graph.api.auth import create_token
    from liaison_graph.graph.coverage import flagship_counts, report
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.graph.policy import builtin
    from liaison_graph.graph.reach import reach
    from liaison_graph.graph.recommend_parts import on_view
    from liaison_graph.graph.reports import store_report
    from liaison_graph.graph.view import open_view
    from liaison_graph.loaders import load_files

    out: dict = {}
    rows = rows_in(folder)
    county = a_county(folder)
    db = work / "product.db"
    import liaison_graph.loaders.bulk  # noqa: F401 - the columnar engine's one-time import, outside the timing as the peers' are
    with EmbeddedStore(db) as store:
        seconds, _ = timed(lambda: load_files(sorted(folder.glob("*.csv")), store))
    out["load_csv_rows_s"] = rows / seconds
    from liaison_graph.loaders.generate import generate

    generate(scale, 1, work / "xlsx", "xlsx")  # the same roster as one workbook, a sheet per table
    with EmbeddedStore(work / "xlsx.db") as store:
        seconds, _ = timed(lambda: load_files(sorted((work / "xlsx").glob("*.xlsx")), store))
    out["load_xlsx_rows_s"] = rows / seconds
    for path in work.glob("xlsx.db*"):
        path.unlink()
    gc.collect()
    with EmbeddedStore(db) as store:
        store.gaps(RULE, DAY, county)  # the index into memory, as a running service holds it
        out["gap_county_ms"] = timed(lambda: store.gaps(RULE, DAY, county), 50)[0] * 1000
        out["gap_whole_ms"], items = timed(lambda: store.gaps(RULE, DAY), 10)
        out["gap_whole_ms"] *= 1000
        out["gap_whole_count"] = len(items)
        out["gap_unorganised_whole_ms"] = timed(lambda: store.gaps("party-member-unorganised", DAY), 10)[0] * 1000
        cli = [sys.executable, "-m", "liaison_graph.api.cli", "--db", str(db), "gaps", "--rule", RULE, "--as-of", DAY.isoformat(),
               "--committee", county, "--format", "json"]
        out["cli_county_gap_s"] = timed(lambda: subprocess.run(cli, check=True, capture_output=True), 3)[0]
        # the two full coverages by committee, whole store, from the maintained indexes
        out["coverage_counts_ms"], counts = timed(lambda: flagship_counts(store, DAY), 5)
        out["coverage_counts_ms"] *= 1000
        by_rule = {rule["id"]: (rule["total"], rule["covered"]) for rule in counts["rules"]}
        out["coverage_totals"] = [*by_rule[RULE], *by_rule["party-member-unorganised"]]  # in the peers' order
        counts_cli = [sys.executable, "-m", "liaison_graph.api.cli", "--db", str(db), "coverage", "--counts", "--as-of", DAY.isoformat(),
                      "--format", "json"]
        out["cli_coverage_counts_s"] = timed(lambda: subprocess.run(counts_cli, check=True, capture_output=True), 3)[0]
        # a full policy report by committee over the whole store: the first after the import (it reads the
        # columns the import kept in the file) and the next as CLI processes, then warm as a running service
        report_cli = [sys.executable, "-m", "liaison_graph.api.cli", "--db", str(db), "coverage", "--by", "committee",
                      "--as-of", DAY.isoformat(), "--format", "json"]
        out["report_first_s"] = timed(lambda: subprocess.run(report_cli, check=True, capture_output=True))[0]
        out["cli_report_by_committee_s"] = timed(lambda: subprocess.run(report_cli, check=True, capture_output=True), 3)[0]
        out["report_by_committee_peak_rss_mb"] = peak_mb(report_cli)
        # one committee's report (with every committee below it) as a CLI process, for the county
        # and each level above it below the top, as an office at that level asks it
        for level, cid in levels_above(folder, county).items():
            out[f"cli_report_{level}_s"] = timed(
                lambda cid=cid: subprocess.run([*report_cli, "--committee", cid], check=True, capture_output=True), 3)[0]
        two = builtin()["two-coverages"]
        store.columns()  # into memory, as a running service holds them
        out["report_by_committee_s"] = timed(lambda: store_report(store, DAY, two, None, "committee"), 3)[0]
        store_report(store, DAY, two, county, "committee")  # warm
        out["report_county_s"] = timed(lambda: store_report(store, DAY, two, county, "committee"), 5)[0]
        # an office's edit of one member through the running service: the columns follow it
        from liaison_graph.graph.batch import Batch

        mid = store.gaps(RULE, DAY, county)[0]["id"] if store.gaps(RULE, DAY, county) else \
            store.db.execute("SELECT id FROM nodes WHERE kind = 'Member' LIMIT 1").fetchone()[0]
        props = store.node_props("Member", [mid])[mid]
        out["edit_write_s"] = timed(lambda: store.write(Batch(nodes={"Member": {mid: {**props, "township": "东镇"}}})))[0]
        out["edit_write_next_s"] = timed(lambda: store.write(Batch(nodes={"Member": {mid: {**props, "township": "西镇"}}})))[0]
        out["report_after_edit_s"] = timed(lambda: store_report(store, DAY, two, None, "committee"))[0]
        # a token issued from the command line beside the service (another connection, no roster
        # row changed): the columns the service patched in memory still hold
        subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "--db", str(db), "token", "create",
                        "--committee", county, "--name", "beside"], check=True, capture_output=True)
        out["report_after_token_s"] = timed(lambda: store_report(store, DAY, two, None, "committee"))[0]
        if scale != "nation":  # the same report on the graph's view (the whole nation's graph is several GB)
            seconds, view = timed(lambda: open_view(store, DAY))
            out["report_graph_s"] = seconds + timed(lambda: report(view, two, by="committee"))[0]
            del view
            gc.collect()  # the whole graph's garbage is not charged to the next figures
        county_view = open_view(store, DAY, county)
        start = _group_of(county_view) or next(n[1] for n, _ in county_view.nodes("PartyOrg"))
        out["reach_k3_ms"], reached = timed(lambda: reach(county_view, start, 3), 5)
        out["reach_k3_ms"] *= 1000
        out["reach_start"], out["reach_k3_count"] = start, len(reached)
        out["recommend_county_s"] = timed(lambda: on_view(open_view(store, DAY, county), builtin()["two-coverages"]), 3)[0]
        if scale == "county":
            from benchmarks.api_load import free_port, run_load, serving

            _, token = create_token(store, county, "viewer", "bench")
            expected = {"rule": RULE, "as_of": DAY.isoformat(), "count": len(store.gaps(RULE, DAY, county)),
                        "items": store.gaps(RULE, DAY, county)}
    # the lookups (a first page of members and of sectors, the token's committee) for a token of the top
    # committee and for the county's, warm, through the application
    from benchmarks.lookups import measure as measure_lookups

    out.update(measure_lookups(db, county))
    # the token check every request pays first, on the committees of this store and a token for each
    from benchmarks.tokens import committee_rows
    from benchmarks.tokens import measure as measure_tokens

    with EmbeddedStore(db) as store:
        rows = committee_rows(store.committees())
    (work / "tokens").mkdir()
    out.update(measure_tokens(rows, work / "tokens", county))
    if scale in ("province", "nation"):  # what is due: a county's and the whole store's, a member's own
        from benchmarks.ledger import measure as measure_ledger

        out.update(measure_ledger(db, county))
    if scale == "county":
        with serving(db, free_port()) as base:
            import benchmarks.api_load as load

            load.GAP_URL = f"/api/v1/gaps/{RULE}?committee_id={county}&as_of={DAY.isoformat()}"
            result = run_load(base, token, expected, 50, 3000, 120)
            fast = load.run_wrk(base, token, load.GAP_URL, 50)
        out["api_python_client_rps"], out["api_python_client_p95_ms"] = result["rps"], result["p95_ms"]
        best = fast or result
        out["api_rps"], out["api_p95_ms"] = best["rps"], best["p95_ms"]
        out["api_failures"] = result["failures"] + (fast or {}).get("failures", 0)
        out["api_client"] = "wrk" if fast else "python threads"
    if scale == "nation":  # the county gap endpoint on the nation store: one worker and two, with and without reports
        from benchmarks.api_scale import measure as measure_api

        for workers in (1, 2):
            out.update(measure_api(db, workers))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _group_of(view) -> str | None:
    return next((n[1] for n, d in view.nodes("PartyOrg") if d.get("kind") == "party_group"), None)


# --- peers -------------------------------------------------------------------------------------------
def duckdb_peer(folder: Path, county: str) -> dict:
    import duckdb

    con = duckdb.connect()
    rows = rows_in(folder)

    def load():
        for name in ("members", "liaisons", "party_orgs"):
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_csv('{folder / (name + '.csv')}', "
                        "header=true, all_varchar=true)")
    seconds, _ = timed(load)
    query = """
        SELECT m.id FROM members m
        WHERE m.affiliation NOT LIKE '%中共党员%' AND ($c IS NULL OR m.committee_id = $c)
          AND coalesce(m.start_date, '0000') <= $d AND coalesce(m.end_date, '9999') >= $d
          AND NOT EXISTS (SELECT 1 FROM liaisons l JOIN members s ON s.id = l.from_id
                          WHERE l.to = m.id AND coalesce(l.target_kind, 'member') = 'member'
                            AND s.affiliation LIKE '%中共党员%'
                            AND coalesce(l.start_date, '0000') <= $d AND coalesce(l.end_date, '9999') >= $d
                            AND coalesce(s.start_date, '0000') <= $d AND coalesce(s.end_date, '9999') >= $d)
        ORDER BY m.committee_id, m.id"""
    day = DAY.isoformat()
    county_s, _ = timed(lambda: con.execute(query, {"c": county, "d": day}).fetchall(), 10)
    whole_s, found = timed(lambda: con.execute(query, {"c": None, "d": day}).fetchall(), 5)
    # the two full coverages by committee: current non-CPC members and those with a current CPC
    # liaison; current CPC members and those in a party organisation that holds on the day
    coverage = """
        WITH m AS (SELECT id, committee_id, affiliation LIKE '%中共党员%' AS cpc, party_org_ids FROM members
                   WHERE coalesce(start_date, '0000') <= $d AND coalesce(end_date, '9999') >= $d),
             linked AS (SELECT DISTINCT l.to AS id FROM liaisons l JOIN m s ON s.id = l.from_id
                        WHERE s.cpc AND coalesce(l.target_kind, 'member') = 'member'
                          AND coalesce(l.start_date, '0000') <= $d AND coalesce(l.end_date, '9999') >= $d),
             organised AS (SELECT DISTINCT m.id FROM m, unnest(string_split(m.party_org_ids, '、')) AS t(org)
                           JOIN party_orgs o ON o.id = t.org
                           WHERE coalesce(o.start_date, '0000') <= $d AND coalesce(o.end_date, '9999') >= $d)
        SELECT committee_id, count(*) FILTER (NOT cpc), count(*) FILTER (NOT cpc AND id IN (SELECT id FROM linked)),
               count(*) FILTER (cpc), count(*) FILTER (cpc AND id IN (SELECT id FROM organised))
        FROM m GROUP BY committee_id"""
    coverage_s, by_committee = timed(lambda: con.execute(coverage, {"d": day}).fetchall(), 5)
    return {"load_csv_rows_s": rows / seconds, "gap_county_ms": county_s * 1000, "gap_whole_ms": whole_s * 1000,
            "gap_whole_count": len(found), "coverage_counts_ms": coverage_s * 1000, "coverage_totals": _totals(by_committee)}


def _totals(by_committee) -> list[int]:
    """The whole store's four coverage numbers from rows (committee, four numbers)."""
    return [sum(row[i] for row in by_committee) for i in range(1, 5)]


def sqlite_peer(folder: Path, work: Path, county: str, api: bool = False) -> dict:
    import sqlite3

    db = sqlite3.connect(work / "peer.sqlite")
    rows = rows_in(folder)

    def load():
        db.execute("CREATE TABLE m (id TEXT PRIMARY KEY, cid TEXT, cpc INT, s INT, e INT)")
        db.execute("CREATE TABLE l (src TEXT, dst TEXT, s INT, e INT)")
        db.execute("CREATE TABLE o (id TEXT PRIMARY KEY, s INT, e INT)")
        db.execute("CREATE TABLE mo (member TEXT, org TEXT)")
        members, memberships = [], []
        with (folder / "members.csv").open(encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                members.append((r["id"], r["committee_id"], "中共党员" in r["affiliation"], day_int(r["start_date"], 0),
                                day_int(r["end_date"], OPEN_END)))
                memberships.extend((r["id"], org) for org in r["party_org_ids"].split("、") if org)
        db.executemany("INSERT INTO m VALUES (?,?,?,?,?)", members)
        db.executemany("INSERT INTO mo VALUES (?,?)", memberships)
        with (folder / "party_orgs.csv").open(encoding="utf-8-sig") as fh:
            db.executemany("INSERT INTO o VALUES (?,?,?)", (
                (r["id"], day_int(r["start_date"], 0), day_int(r["end_date"], OPEN_END)) for r in csv.DictReader(fh)))
        with (folder / "liaisons.csv").open(encoding="utf-8-sig") as fh:
            db.executemany("INSERT INTO l VALUES (?,?,?,?)", (
                (r["from_id"], r["to"], day_int(r["start_date"], 0), day_int(r["end_date"], OPEN_END))
                for r in csv.DictReader(fh) if r["target_kind"] in ("", "member")))
        db.execute("CREATE INDEX m_cid ON m (cid)")
        db.execute("CREATE INDEX l_dst ON l (dst)")
        db.execute("CREATE INDEX mo_member ON mo (member)")
        db.commit()
    seconds, _ = timed(load)
    from benchmarks.peer_api import COUNTY_GAPS, COVERAGE_BY_COMMITTEE, WHOLE_GAPS

    county_s, _ = timed(lambda: db.execute(COUNTY_GAPS, {"c": county, "d": DAYN}).fetchall(), 20)
    whole_s, found = timed(lambda: db.execute(WHOLE_GAPS, {"d": DAYN}).fetchall(), 3)
    coverage_s, by_committee = timed(lambda: db.execute(COVERAGE_BY_COMMITTEE, {"d": DAYN}).fetchall(), 3)
    out = {"load_csv_rows_s": rows / seconds, "gap_county_ms": county_s * 1000, "gap_whole_ms": whole_s * 1000,
           "gap_whole_count": len(found), "coverage_counts_ms": coverage_s * 1000, "coverage_totals": _totals(by_committee)}
    db.close()
    if api:  # its county query and its coverage by committee served as the product is, on one worker and two
        from benchmarks.api_scale import measure_peer

        for workers in (1, 2):
            out.update(measure_peer(work / "peer.sqlite", county, DAYN, workers))
    return out


def _workbook_records(path: Path, sheet: str, names: dict[str, str]) -> Iterator[dict]:
    """The rows of one sheet of a workbook as the CSV's records (its English column names), read
    the way an analyst's script reads one (openpyxl, read-only)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = wb[sheet].iter_rows(values_only=True)
        header = [names.get(h) for h in next(rows)]
        blank = dict.fromkeys(names.values(), "")  # a row's trailing empty cells are not read
        for r in rows:
            yield blank | {k: str(v) for k, v in zip(header, r) if k and v is not None}
    finally:
        wb.close()


def networkx_peer(folder: Path, county: str, workbook: Path | None = None, start: str | None = None) -> dict:
    import networkx as nx
    from liaison_graph.graph.model import model

    rows = rows_in(folder)
    # a target kind as the CSV (its code) or the workbook (its Chinese label) writes it
    kinds = {"": "member", **{label: code for code, label in model().enums["target_kind"].labels.items()}}

    def load(members, liaisons, party_orgs):
        G = nx.MultiDiGraph()  # members and their liaisons to members; two between the same pair are two
        R = nx.MultiDiGraph()  # for reach: members, the groups they sit in, liaisons to members and groups
        by_committee: dict = {}
        for r in members:
            mid, cid = r["id"], r["committee_id"]
            G.add_node(mid, cid=cid, cpc="中共党员" in r["affiliation"],
                       s=day_int(r["start_date"], 0), e=day_int(r["end_date"], OPEN_END),
                       orgs=[org for org in r["party_org_ids"].split("、") if org])
            by_committee.setdefault(cid, []).append(mid)
            groups = [("sector", f"{cid}:{r['sector']}")] + [("activity_group", f"{cid}:{r['activity_group']}")] * bool(
                r["activity_group"]) + [("special_committee", f"{cid}:{n}") for n in r["special_committees"].split("、") if n]
            R.add_edges_from((("member", mid), g, {"sits": True}) for g in groups)
            R.add_edges_from((("member", mid), ("party_org", o), {"sits": True}) for o in G.nodes[mid]["orgs"])
        for r in liaisons:
            kind = kinds.get(r["target_kind"], r["target_kind"])
            s, e = day_int(r["start_date"], 0), day_int(r["end_date"], OPEN_END)
            if kind == "member":
                G.add_edge(r["from_id"], r["to"], s=s, e=e)
                target = r["to"]
            else:
                target = r["to"] if ":" in r["to"] or kind == "party_org" else f"{G.nodes[r['from_id']]['cid']}:{r['to']}"
            R.add_edge(("member", r["from_id"]), (kind, target), s=s, e=e)
        orgs = {r["id"]: (day_int(r["start_date"], 0), day_int(r["end_date"], OPEN_END)) for r in party_orgs}
        return G, by_committee, orgs, R

    tables = [(folder / f"{t}.csv").open(encoding="utf-8-sig") for t in ("members", "liaisons", "party_orgs")]
    seconds, (G, by_committee, orgs, R) = timed(lambda: load(*map(csv.DictReader, tables)))
    for fh in tables:
        fh.close()
    out = {"load_csv_rows_s": rows / seconds}
    if workbook is not None:  # the same roster from its workbook (the sheets of the same three tables)
        roster_tables = [model().tables[t] for t in ("members", "liaisons", "party_orgs")]
        sheets = {t.label: {c.label: name for name, c in t.columns.items()} for t in roster_tables}  # the generator's headers
        seconds, (W, _, W_orgs, _) = timed(lambda: load(*(_workbook_records(workbook, k, v) for k, v in sheets.items())))
        assert (W.number_of_nodes(), W.number_of_edges(), W_orgs) == (G.number_of_nodes(), G.number_of_edges(), orgs)
        out["load_xlsx_rows_s"] = rows / seconds
        del W

    def linked(m) -> bool:
        """A liaison holding today into m from a current CPC member."""
        return any(G.nodes[s]["cpc"] and e["s"] <= DAYN <= e["e"] and G.nodes[s]["s"] <= DAYN <= G.nodes[s]["e"]
                   for s, _, e in G.in_edges(m, data=True))

    def gap(ids):
        out = []
        for m in ids:
            d = G.nodes[m]
            if d["cpc"] or not d["s"] <= DAYN <= d["e"]:
                continue
            if not linked(m):
                out.append(m)
        return out
    county_s, _ = timed(lambda: gap(by_committee[county]), 20)
    whole_s, found = timed(lambda: gap(G.nodes), 3)

    def coverage():
        counts: dict = {}
        for m, d in G.nodes(data=True):
            if not d["s"] <= DAYN <= d["e"]:
                continue
            row = counts.setdefault(d["cid"], [0, 0, 0, 0])
            if d["cpc"]:
                row[2] += 1
                row[3] += any(orgs[o][0] <= DAYN <= orgs[o][1] for o in d["orgs"] if o in orgs)
            else:
                row[0] += 1
                row[1] += linked(m)
        return [(cid, *row) for cid, row in counts.items()]
    coverage_s, by_committee = timed(coverage, 3)
    out.update(gap_county_ms=county_s * 1000, gap_whole_ms=whole_s * 1000, gap_whole_count=len(found),
               coverage_counts_ms=coverage_s * 1000, coverage_totals=_totals(by_committee))

    def current(node) -> bool:
        kind, nid = node
        if kind == "member":
            return nid in G and G.nodes[nid]["s"] <= DAYN <= G.nodes[nid]["e"]
        return kind != "party_org" or nid in orgs and orgs[nid][0] <= DAYN <= orgs[nid][1]

    def occupants(group) -> list:
        return [m for m, _, d in R.in_edges(group, data=True) if d.get("sits") and current(m)] if current(group) else []

    def reach_of(start, hops: int) -> dict:
        """From a party organisation: its members at 0; a liaison to a member reaches them, one to a
        group reaches it and its members, a step each, followed only from current members; every
        reached member's sector at the member's distance."""
        distance = {m: 0 for m in occupants(("party_org", start))}
        queue = list(distance)
        for member in queue:
            if distance[member] >= hops:
                continue
            for _, target, d in R.out_edges(member, data=True):
                if d.get("sits") or not d["s"] <= DAYN <= d["e"] or not current(target):
                    continue
                for node in [target] + (occupants(target) if target[0] != "member" else []):
                    if node not in distance:
                        distance[node] = distance[member] + 1
                        if node[0] == "member":
                            queue.append(node)
        for member in [n for n in distance if n[0] == "member"]:
            for _, sector, d in R.out_edges(member, data=True):
                if d.get("sits") and sector[0] == "sector":
                    distance[sector] = min(distance.get(sector, hops + 1), distance[member])
        return distance
    if start is not None:
        reach_s, reached = timed(lambda: reach_of(start, 3), 5)
        out.update(reach_k3_ms=reach_s * 1000, reach_k3_count=len(reached))
    return out


def ladybug_peer(folder: Path, work: Path, county: str) -> dict:
    import ladybug

    rows = rows_in(folder)
    conn = ladybug.Connection(ladybug.Database(str(work / "peer.lbdb")))

    def load():
        with (folder / "members.csv").open(encoding="utf-8-sig") as fh, (work / "m.csv").open("w") as out, \
                (work / "mo.csv").open("w") as member_orgs:
            w, wo = csv.writer(out), csv.writer(member_orgs)
            w.writerow(["id", "cid", "cpc", "s", "e"])
            wo.writerow(["from", "to"])
            for r in csv.DictReader(fh):
                w.writerow([r["id"], r["committee_id"], "true" if "中共党员" in r["affiliation"] else "false",
                            day_int(r["start_date"], 0), day_int(r["end_date"], OPEN_END)])
                wo.writerows((r["id"], org) for org in r["party_org_ids"].split("、") if org)
        with (folder / "party_orgs.csv").open(encoding="utf-8-sig") as fh, (work / "o.csv").open("w") as out:
            w = csv.writer(out)
            w.writerow(["id", "s", "e"])
            w.writerows((r["id"], day_int(r["start_date"], 0), day_int(r["end_date"], OPEN_END)) for r in csv.DictReader(fh))
        with (folder / "liaisons.csv").open(encoding="utf-8-sig") as fh, (work / "l.csv").open("w") as out:
            w = csv.writer(out)
            w.writerow(["from", "to", "s", "e"])
            for r in csv.DictReader(fh):
                if r["target_kind"] in ("", "member"):
                    w.writerow([r["from_id"], r["to"], day_int(r["start_date"], 0), day_int(r["end_date"], OPEN_END)])
        conn.execute("CREATE NODE TABLE M(id STRING, cid STRING, cpc BOOLEAN, s INT64, e INT64, PRIMARY KEY(id))")
        conn.execute("CREATE REL TABLE L(FROM M TO M, s INT64, e INT64)")
        conn.execute("CREATE NODE TABLE O(id STRING, s INT64, e INT64, PRIMARY KEY(id))")
        conn.execute("CREATE REL TABLE IN_ORG(FROM M TO O)")
        conn.execute(f"COPY M FROM '{work / 'm.csv'}' (HEADER=true)")
        conn.execute(f"COPY L FROM '{work / 'l.csv'}' (HEADER=true)")
        conn.execute(f"COPY O FROM '{work / 'o.csv'}' (HEADER=true)")
        conn.execute(f"COPY IN_ORG FROM '{work / 'mo.csv'}' (HEADER=true)")
    seconds, _ = timed(load)
    current = "m.s <= $d AND m.e >= $d"
    linked = ("EXISTS { MATCH (s:M)-[l:L]->(m) WHERE s.cpc = true AND l.s <= $d AND l.e >= $d "
              "AND s.s <= $d AND s.e >= $d }")
    organised = "EXISTS { MATCH (m)-[:IN_ORG]->(o:O) WHERE o.s <= $d AND o.e >= $d }"

    def rows_of(result) -> list:
        found = []
        while result.has_next():
            found.append(result.get_next())
        return found

    def run(c):
        text = f"MATCH (m:M) WHERE m.cpc = false {'AND m.cid = $c' if c else ''} AND {current} AND NOT {linked} RETURN m.id"
        return [r[0] for r in rows_of(conn.execute(text, {"c": c, "d": DAYN} if c else {"d": DAYN}))]
    county_s, _ = timed(lambda: run(county), 10)
    whole_s, found = timed(lambda: run(None), 3)

    def coverage():
        counts: dict = {}
        for i, where in ((0, f"m.cpc = false AND {current}"), (1, f"m.cpc = false AND {current} AND {linked}"),
                         (2, f"m.cpc = true AND {current}"), (3, f"m.cpc = true AND {current} AND {organised}")):
            for cid, n in rows_of(conn.execute(f"MATCH (m:M) WHERE {where} RETURN m.cid, count(*)", {"d": DAYN})):
                counts.setdefault(cid, [0, 0, 0, 0])[i] = n
        return [(cid, *row) for cid, row in counts.items()]
    coverage_s, by_committee = timed(coverage, 3)
    return {"load_csv_rows_s": rows / seconds, "gap_county_ms": county_s * 1000, "gap_whole_ms": whole_s * 1000,
            "gap_whole_count": len(found), "coverage_counts_ms": coverage_s * 1000, "coverage_totals": _totals(by_committee)}


def arcadedb_peer(folder: Path, work: Path, county: str) -> dict:
    from liaison_graph.graph.bolt import BoltStore
    from liaison_graph.graph.policy import builtin
    from liaison_graph.graph.reports import store_report
    from liaison_graph.loaders import load_files

    from tests.bolt_server import BoltServer

    server = BoltServer(work / "arcade")
    try:
        with BoltStore(server.uri, "root", server.password, server.database, schema="create") as store:
            store.clear()
            seconds, _ = timed(lambda: load_files(sorted(folder.glob("*.csv")), store))
            for _ in range(20):  # warm, as a server in use is (its first answers compile the query: 30–110 ms)
                store.gaps(RULE, DAY, county)
            county_s, _ = timed(lambda: store.gaps(RULE, DAY, county), 10)
            whole_s, found = timed(lambda: store.gaps(RULE, DAY), 3)
            two = builtin()["two-coverages"]
            store_report(store, DAY, two, county, "committee")  # warm
            report_s, _ = timed(lambda: store_report(store, DAY, two, county, "committee"), 5)
    finally:
        server.stop()
    return {"load_csv_rows_s": rows_in(folder) / seconds, "gap_county_ms": county_s * 1000,
            "gap_whole_ms": whole_s * 1000, "gap_whole_count": len(found), "report_county_s": report_s}


# --- the run ------------------------------------------------------------------------------------------------
TARGETS = {  # nation scale unless said (the performance issue)
    "load_csv_rows_s": (">=", 300_000),
    "gap_county_ms": ("<", 0.15),
    "gap_whole_ms": ("<", 20),
    "report_by_committee_s": ("<", 1.0),
    "cli_county_gap_s": ("<", 2.0),
    "peak_rss_mb": ("<", 3000),
    "lookup_members_top_ms": ("<", 100),  # a national token's first page, warm
    "lookup_sectors_top_ms": ("<", 100),
    "lookup_committee_top_ms": ("<", 100),
}
COUNTY_TARGETS = {"api_rps": (">=", 1500), "api_p95_ms": ("<", 20)}
BOLT_TARGETS = {"load_csv_rows_s": (">=", 20_000), "gap_county_ms": ("<", 10)}  # the Bolt store, on ArcadeDB


def met(value, rule) -> bool | None:
    if value is None:
        return False
    op, bound = rule
    return value >= bound if op == ">=" else value < bound


def speedup(metric: str, product_value, peer_value):
    if not product_value or not peer_value:
        return None
    higher_is_better = metric.endswith("rows_s") or "_rps" in metric
    return product_value / peer_value if higher_is_better else peer_value / product_value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="county,province,nation")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--skip-peers", default="", help="comma-separated peers to leave out")
    args = parser.parse_args()
    from liaison_graph.loaders.generate import generate

    skip = set(filter(None, args.skip_peers.split(",")))
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()},
               "date": dt.date.today().isoformat(), "scales": {}}
    for scale in args.scales.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            folder = tmp / "roster"
            generate(scale, 1, folder, "csv")
            county = a_county(folder)
            entry = {"rows": rows_in(folder), "county": county, "product": product(folder, tmp, scale), "peers": {}}
            peers = {"duckdb": lambda: duckdb_peer(folder, county),
                     "sqlite": lambda: sqlite_peer(folder, tmp, county, api=scale == "nation"),
                     "networkx": lambda: networkx_peer(folder, county, next((tmp / "xlsx").glob("*.xlsx")),
                                                       entry["product"].get("reach_start")),
                     "ladybug": lambda: ladybug_peer(folder, tmp, county)}
            if scale in ("county", "province"):
                peers["arcadedb-bolt"] = lambda: arcadedb_peer(folder, tmp, county)
            for name, run in peers.items():
                if name in skip:
                    continue
                try:
                    entry["peers"][name] = run()
                except Exception as exc:  # a peer that fails is reported, not fatal
                    entry["peers"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            results["scales"][scale] = entry
            print(scale, json.dumps(entry, ensure_ascii=False, default=str), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    (args.out / "results.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [f"Run {results['date']} on {m['cpus']} CPUs, {m['processor']}, Python {m['python']} ({m['platform']}).", ""]
    metrics = ["load_csv_rows_s", "load_xlsx_rows_s", "gap_county_ms", "gap_whole_ms", "gap_unorganised_whole_ms",
               "cli_county_gap_s", "report_by_committee_s", "cli_report_by_committee_s", "report_first_s",
               "report_by_committee_peak_rss_mb", "report_graph_s", "edit_write_s", "edit_write_next_s", "report_after_edit_s",
               "report_after_token_s",
               "cli_report_county_s", "cli_report_city_s", "cli_report_province_s", "report_county_s",
               "coverage_counts_ms",
               "cli_coverage_counts_s", "reach_k3_ms", "recommend_county_s",
               "lookup_members_top_ms", "lookup_sectors_top_ms", "lookup_committee_top_ms",
               "lookup_members_county_ms", "lookup_sectors_county_ms", "lookup_committee_county_ms",
               "token_check_top_us", "token_check_county_us", "scope_fresh_top_us", "scope_kept_top_us",
               "due_county_s", "due_county_mb", "due_whole_s", "due_whole_mb", "due_member_ms",
               "digest_county_s", "digest_county_mb", "digest_whole_s", "digest_whole_mb", "api_rps",
               "api_p95_ms", "api_python_client_rps", "api_python_client_p95_ms",
               *(f"api_{k}_{f}_w{w}" for w in (1, 2) for k in ("quiet", "with_reports")
                 for f in ("rps", "p50_ms", "p95_ms", "p99_ms")),
               *(f"api_report_median_s_w{w}" for w in (1, 2)), "peak_rss_mb"]
    for scale, entry in results["scales"].items():
        peers = list(entry["peers"])
        lines += [f"**{scale}** ({entry['rows']:,} rows; county {entry['county']})", "",
                  "| figure | product | target | " + " | ".join(f"{p} (product's speed-up)" for p in peers) + " |",
                  "|---|---|---|" + "---|" * len(peers)]
        for metric in metrics:
            value = entry["product"].get(metric)
            if metric not in entry["product"]:
                continue
            targets = {**TARGETS, **COUNTY_TARGETS} if scale == "nation" or metric.startswith("api") else {}
            target = targets.get(metric)
            verdict = "" if target is None else f"{target[0]} {target[1]:,}: {'met' if met(value, target) else 'missed'}"
            cells = []
            for p in peers:
                peer = entry["peers"][p]
                if "error" in peer:
                    cells.append("failed")
                elif metric in peer:
                    ratio = speedup(metric, value, peer[metric])
                    cells.append(f"{fmt(peer[metric])} (×{ratio:,.1f})" if ratio else fmt(peer[metric]))
                else:
                    cells.append("")
            lines.append(f"| {metric} | {fmt(value)} | {verdict} | " + " | ".join(cells) + " |")
        bolt = entry["peers"].get("arcadedb-bolt", {})
        if bolt and "error" not in bolt:
            verdicts = [f"{metric} {fmt(bolt.get(metric))} ({rule[0]} {rule[1]:,}: {'met' if met(bolt.get(metric), rule) else 'missed'})"
                        for metric, rule in BOLT_TARGETS.items()]
            lines += ["", "The product's Bolt store on ArcadeDB (the arcadedb-bolt column): " + "; ".join(verdicts) + "."]
        counts = {p: v.get("gap_whole_count") for p, v in entry["peers"].items()}
        lines += ["", f"Whole-store gap count: product {entry['product'].get('gap_whole_count')}, peers {counts}."]
        totals = {p: v["coverage_totals"] for p, v in entry["peers"].items() if "coverage_totals" in v}
        lines += ["", "The two full coverages, whole store (non-party members, with a CPC liaison, CPC members, "
                  f"organised): product {entry['product'].get('coverage_totals')}, peers {totals}."]
        reached = {p: v["reach_k3_count"] for p, v in entry["peers"].items() if "reach_k3_count" in v}
        lines += ["", f"Reach with K = 3 from the county's party group {entry['product'].get('reach_start')}, what it "
                  f"reaches: product {entry['product'].get('reach_k3_count')}, peers {reached}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
