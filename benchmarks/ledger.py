"""What is due (``liaison due``, ``graph/due.py``) and the week's digest (``liaison digest``,
``graph/digest.py``) at scale, on a loaded embedded store: for one county and for the whole
store, each as one CLI process (seconds and its own peak memory), under the 复兴区 policy (a
contact a quarter within one's group); and one member's own due list, warm through the verb,
as a member's own token asks it.

    python -m benchmarks.ledger --db STORE.db [--county ID]

The benchmark suite (``benchmarks/suite.py``) takes the same figures at province and nation
from the store it loaded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

DAY = "2026-06-30"
SINCE = "2026-06-23"  # a digest of the week before
POLICY = "fuxing"


def _cli(db: Path, *args: str, verb: str = "due") -> tuple[float, float | None, dict]:
    """A ``liaison due`` (or ``digest``) process: seconds, its own peak MB (None without
    /usr/bin/time), its JSON."""
    command = [sys.executable, "-m", "liaison_graph.api.cli", "--db", str(db), verb, "--as-of", DAY,
               "--format", "json", *args]
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    done = subprocess.run([*timer, *command], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak = int(done.stderr.strip().splitlines()[-1]) / 1024 if timer else None
    return seconds, peak, json.loads(done.stdout)


def measure(db: Path, county: str, whole: bool = True) -> dict:
    """``due_county_s``/``_mb``, ``due_whole_s``/``_mb`` (``whole``), the same of ``digest_``,
    ``due_member_ms``, and how many rows or items each listed."""
    from liaison_graph.api.verbs import questions
    from liaison_graph.api.verbs.policies import PolicyAsked
    from liaison_graph.api.verbs.scope import Scope
    from liaison_graph.graph.embedded import EmbeddedStore

    out: dict = {}
    seconds, peak, answer = _cli(db, "--committee", county, "--policy", POLICY)
    out.update(due_county_s=round(seconds, 2), due_county_mb=peak, due_county_rows=_rows(answer))
    if whole:
        seconds, peak, answer = _cli(db, "--policy", POLICY, "--within", "30")
        out.update(due_whole_s=round(seconds, 2), due_whole_mb=peak, due_whole_rows=_rows(answer))
    seconds, peak, answer = _cli(db, "--committee", county, "--policy", POLICY, "--since", SINCE, verb="digest")
    out.update(digest_county_s=round(seconds, 2), digest_county_mb=peak, digest_county_items=len(answer["items"]))
    if whole:
        seconds, peak, answer = _cli(db, "--policy", POLICY, "--since", SINCE, verb="digest")
        out.update(digest_whole_s=round(seconds, 2), digest_whole_mb=peak, digest_whole_items=len(answer["items"]))
    holder = _rows_of(_cli(db, "--committee", county)[2])
    with EmbeddedStore(db) as store:
        scope = Scope(county, frozenset({county}), "bench", holder, False)
        ask = lambda: questions.due(store, scope, PolicyAsked(POLICY), dt.date.fromisoformat(DAY))  # noqa: E731
        ask()
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            ask()
            runs.append(time.perf_counter() - started)
    out["due_member_ms"] = round(statistics.median(runs) * 1000, 1)
    return out


def _rows(answer: dict) -> int:
    return sum(len(h["items"]) for h in answer["holders"])


def _rows_of(answer: dict) -> str:
    """The member holding the most liaisons of a due list."""
    return max(answer["holders"], key=lambda h: len(h["items"]))["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--county", help="a county's id (default: the first county of the store)")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole store's list")
    args = parser.parse_args()
    county = args.county
    if county is None:
        from liaison_graph.graph.embedded import EmbeddedStore

        with EmbeddedStore(args.db) as store:
            county = min(c for c, p in store.committees().items() if p.get("level") == "county")
    print(json.dumps(measure(args.db, county, not args.no_whole), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
