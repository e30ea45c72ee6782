"""A full policy report by committee for every built-in policy, on the embedded store.

    python -m benchmarks.coverage --scale province [--seed 1] [--repeat 3]

Generates a roster, loads it into a fresh embedded store, then times, per policy: reading
the file into the in-memory graph (once per process), building one day's indexes, and the
report itself with `--by committee` on that graph (a committee's report, or any report on
the Bolt store, goes this way); and the whole store's report from the columns the embedded
store keeps (what `liaison coverage` and the API answer over the whole store; building
the columns, once after a write, and reading them from the file are timed apart). Prints a
markdown table of medians.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import generated_store, scale_arguments
from liaison_graph.graph.coverage import report
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.policy import builtin
from liaison_graph.graph.view import open_view

DAY = dt.date(2026, 11, 1)


def main() -> None:
    args = scale_arguments(__doc__.split("\n")[0], repeat=3)
    with tempfile.TemporaryDirectory() as tmp:
        with EmbeddedStore(generated_store(args.scale, args.seed, Path(tmp))) as store:
            started = time.perf_counter()
            G = store.subgraph(None)
            read = time.perf_counter() - started
            print(f"{args.scale} (seed {args.seed}): {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges;"
                  f" reading the file into the graph {read:.2f} s")
            started = time.perf_counter()
            store.columns()
            built = time.perf_counter() - started
            with EmbeddedStore(store.path) as fresh:
                started = time.perf_counter()
                fresh.columns()
                kept = time.perf_counter() - started
            print(f"building the report columns {built:.2f} s; reading them from the file {kept:.2f} s\n")
            print("| policy | day's indexes (median ms) | report by committee (median ms) | from the columns (median ms)"
                  " | rules | uncovered |")
            print("|---|---|---|---|---|---|")
            for name, policy in builtin().items():
                index_runs, report_runs, column_runs = [], [], []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    view = open_view(store, DAY)
                    indexed = time.perf_counter()
                    result = report(view, policy, by="committee")
                    index_runs.append(indexed - started)
                    report_runs.append(time.perf_counter() - indexed)
                    started = time.perf_counter()
                    from_columns = store_report(store, DAY, policy, None, "committee")
                    column_runs.append(time.perf_counter() - started)
                    assert from_columns == result
                uncovered = sum(len(r["uncovered"]) for r in result["rules"])
                print(f"| {name} | {statistics.median(index_runs) * 1000:.0f} | {statistics.median(report_runs) * 1000:.0f}"
                      f" | {statistics.median(column_runs) * 1000:.0f} | {len(result['rules'])} | {uncovered:,} |")


if __name__ == "__main__":
    main()
