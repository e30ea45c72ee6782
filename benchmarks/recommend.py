"""Recommendation for every committee of a generated roster, on the embedded store.

    python -m benchmarks.recommend [--scale province] [--seed 1]

Times, per built-in policy, the recommendation over the whole store (every committee,
each solved on its own) with its what-if, once the graph is in memory; and reports how
many proposals and leftovers it made.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from benchmarks.common import generated_store, scale_arguments
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.policy import builtin
from liaison_graph.graph.recommend_parts import on_view
from liaison_graph.graph.view import open_view

DAY = dt.date(2026, 11, 1)


def main() -> None:
    args = scale_arguments(__doc__.split("\n")[0])
    with tempfile.TemporaryDirectory() as tmp:
        with EmbeddedStore(generated_store(args.scale, args.seed, Path(tmp))) as store:
            committees = len(store.committees())
            store.subgraph(None)  # the graph in memory, as in a running service
            print(f"{args.scale} (seed {args.seed}), {committees} committees\n")
            print("| policy | proposals | left uncovered | temporary branches | seconds (with what-if) |")
            print("|---|---|---|---|---|")
            for name, policy in builtin().items():
                started = time.perf_counter()
                result = on_view(open_view(store, DAY), policy).result
                seconds = time.perf_counter() - started
                print(f"| {name} | {len(result['items']):,} | {len(result['uncoverable']):,} |"
                      f" {len(result['temporary_branches'])} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
