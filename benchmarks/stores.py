"""Load throughput and gap-query latency, embedded store next to the Bolt store.

    python -m benchmarks.stores --scale city [--seed 1] [--repeat 20]

Generates a roster, loads it into a fresh embedded store and into a fresh Bolt store (an
ArcadeDB server this script starts on loopback, as the tests do), then times the two gap
queries for one committee and for the whole store. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from liaison_graph.graph.bolt import BoltStore
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate
from tests.bolt_server import BoltServer

RULES = ("non-party-without-liaison", "party-member-unorganised")
DAY = dt.date(2026, 6, 30)


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def measure(open_store, paths, rows, committee, repeat):
    figures = {}
    with open_store() as store:
        seconds, _ = timed(lambda: load_files(paths, store))
    figures["load rows/s"] = f"{rows / seconds:,.0f}"
    for rule in RULES:
        for scope, cid in (("one committee", committee), ("whole store", None)):
            runs = []
            for _ in range(repeat):
                with open_store() as store:  # a fresh process-like open, as the CLI does
                    runs.append(timed(lambda: store.gaps(rule, DAY, cid))[0])
            figures[f"{rule}, {scope} (median ms)"] = f"{statistics.median(runs) * 1000:.1f}"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="city", choices=["county", "city", "province"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        counts = generate(args.scale, args.seed, tmp / "roster", "csv")
        rows = sum(counts.values())
        paths = sorted((tmp / "roster").glob("*.csv"))
        committee = next(iter(Path(tmp / "roster" / "committees.csv").read_text(encoding="utf-8").splitlines()[1:])).split(",")[0]
        results = {"embedded": measure(lambda: EmbeddedStore(tmp / "bench.db"), paths, rows, committee, args.repeat)}
        server = BoltServer(tmp / "bolt")
        try:
            first = BoltStore(server.uri, "root", server.password, server.database, schema="create")
            first.clear()
            first.close()
            results["bolt (ArcadeDB)"] = measure(
                lambda: BoltStore(server.uri, "root", server.password, server.database), paths, rows, committee, args.repeat
            )
        finally:
            server.stop()
    print(f"{args.scale} scale, seed {args.seed}: {rows:,} rows ({', '.join(f'{k} {v:,}' for k, v in counts.items())})\n")
    names = list(results)
    print("| figure | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for figure in results[names[0]]:
        print(f"| {figure} | " + " | ".join(results[n][figure] for n in names) + " |")


if __name__ == "__main__":
    main()
