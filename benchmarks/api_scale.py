"""The county gap endpoint on a large store, on one worker and on several, with and without
whole-store reports running beside it: requests per second and p50/p95/p99, from wrk.

    python -m benchmarks.api_scale --db STORE [--workers 1,2] [--seconds 10] [--reports 3]

Issues a viewer token for one county and one for the top committee, starts `liaison serve
--workers N` on a free loopback port, warms both questions, then runs wrk (50 connections)
against ``GET /api/v1/gaps/non-party-without-liaison?committee_id=COUNTY``; the second time
with ``--reports`` clients asking the whole store's report by committee in a loop
(``GET /api/v1/coverage?by=committee`` with the top committee's token) all the while. The
benchmark suite runs it on the nation store it loads, and ``measure_peer`` the same on the
SQLite peer served on the same stack (``benchmarks/peer_api.py``). Needs wrk on the machine."""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path

import httpx

from benchmarks.api_load import free_port, run_wrk, serving
from liaison_graph.api.auth import create_token
from liaison_graph.graph.embedded import EmbeddedStore

RULE = "non-party-without-liaison"


def tokens(db: Path) -> tuple[str, str, str]:
    """A county (the first with a gap, else the first county) and viewer tokens for it and
    for the top committee."""
    with EmbeddedStore(db) as store:
        committees = store.committees()
        top = sorted(c for c, p in committees.items() if not p.get("parent_id"))[0]
        parents = {p.get("parent_id") for p in committees.values()}
        counties = sorted(c for c in committees if c not in parents)
        county = next((c for c in counties if store.gaps(RULE, _today(), c)), counties[0])
        _, county_token = create_token(store, county, "viewer", "bench county")
        _, top_token = create_token(store, top, "viewer", "bench top")
    return county, county_token, top_token


def _today():
    import datetime as dt

    return dt.date.today()


def measure(db: Path, workers: int, seconds: int = 10, reports: int = 3) -> dict:
    county, county_token, top_token = tokens(db)
    with serving(db, free_port(), timeout=300, workers=workers) as base:
        return under_load(base, f"/api/v1/gaps/{RULE}?committee_id={county}", county_token,
                          "/api/v1/coverage?by=committee", top_token, workers, seconds, reports, "api")


def measure_peer(db: Path, county: str, day: int, workers: int, seconds: int = 10, reports: int = 3) -> dict:
    """The same on the SQLite peer served on the same stack (``benchmarks/peer_api.py``): its
    county query, and its coverage by committee as the whole-store report."""
    from benchmarks.peer_api import TOKEN, serving_peer

    with serving_peer(db, day, free_port(), workers) as base:
        return under_load(base, f"/api/v1/gaps/{RULE}?committee_id={county}", TOKEN, "/report", TOKEN, workers,
                          seconds, reports, "api")


def under_load(base: str, gap_url: str, gap_token: str, report_url: str, report_token: str, workers: int,
               seconds: int, reports: int, prefix: str) -> dict:
    """wrk on the gap URL alone, then with ``reports`` clients asking the report in a loop;
    figures keyed ``{prefix}_quiet_rps_w{workers}`` … ``{prefix}_report_median_s_w{workers}``."""
    out: dict = {}
    for token, path in ((gap_token, gap_url), (report_token, report_url)):
        for _ in range(workers * 2):  # each worker's indexes and columns into memory
            httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=600).raise_for_status()
    quiet = run_wrk(base, gap_token, gap_url, 50, seconds)
    stop, done, report_s = threading.Event(), [], []

    def reporter():
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {report_token}"}, timeout=600) as http:
            while not stop.is_set():
                started = time.perf_counter()
                http.get(report_url).raise_for_status()
                report_s.append(time.perf_counter() - started)
                done.append(1)

    threads = [threading.Thread(target=reporter) for _ in range(reports)]
    for t in threads:
        t.start()
    busy = run_wrk(base, gap_token, gap_url, 50, seconds)
    stop.set()
    for t in threads:
        t.join(600)
    for key, result in (("quiet", quiet), ("with_reports", busy)):
        for figure in ("rps", "p50_ms", "p95_ms", "p99_ms", "failures"):
            out[f"{prefix}_{key}_{figure}_w{workers}"] = result[figure] if result else None
    out[f"{prefix}_reports_done_w{workers}"] = len(done)
    out[f"{prefix}_report_median_s_w{workers}"] = round(sorted(report_s)[len(report_s) // 2], 2) if report_s else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--reports", type=int, default=3)
    args = parser.parse_args()
    out = {}
    for n in args.workers.split(","):
        out.update(measure(args.db, int(n), args.seconds, args.reports))
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
