"""The token check at scale: what every request pays before its answer (``api/auth.py``:
``authenticate`` — the token found by its id, its hash compared, revoked, expired, its
committee still there, the scope read), for a viewer token of the top committee and of a
county, warm, per call; beside it the top committee's scope worked out afresh from the
committee table (``graph/view.py``: ``_subtree``, what each request paid for its scope
before the scopes were kept per table) and read from the kept scopes (``subtree``).

    python -m benchmarks.tokens [--scale county|city|province|nation] [--repeat 2000]

The store holds the committee table of the scale (seed 1: the generated roster's
committees, without their members; the nation's 3,162 load in well under a second) and a
token for every committee, as a nation's offices would hold them. The benchmark suite
(``benchmarks/suite.py``) takes the same figures at each of its scales from the committees
of the store it loaded. Each figure is the median of five rounds of ``--repeat`` calls.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

ROUNDS = 5


def per_call_us(fn, repeat: int) -> float:
    fn()
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(repeat):
            fn()
        rounds.append((time.perf_counter() - started) / repeat)
    return statistics.median(rounds) * 1e6


def measure(rows: list[dict], folder: Path, county: str, repeat: int = 2000) -> dict:
    """``token_check_<top|county>_us`` (``authenticate``, per call), ``scope_fresh_top_us``
    and ``scope_kept_top_us`` (the top committee's scope afresh and kept), over a new store
    in ``folder`` that holds the committees ``rows`` and a token for each."""
    from benchmarks.lookups import top_committee
    from liaison_graph.api.auth import authenticate, create_token
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.graph.view import _subtree, subtree
    from liaison_graph.loaders import load_files

    roster = folder / "committees.json"
    roster.write_text(json.dumps({"committees": rows}, ensure_ascii=False), encoding="utf-8")
    out: dict = {}
    with EmbeddedStore(folder / "tokens.db") as store:
        load_files([roster], store)
        committees = store.committees()
        top = top_committee(committees)
        for cid in sorted(committees):
            create_token(store, cid, "viewer", f"bench-office-{cid}")
        for who, cid in (("top", top), ("county", county)):
            header = f"Bearer {create_token(store, cid, 'viewer', f'bench-tokens-{who}')[1]}"
            out[f"token_check_{who}_us"] = per_call_us(lambda header=header: authenticate(store, header), repeat)
        committees = store.committees()
        out["scope_fresh_top_us"] = per_call_us(lambda: _subtree(committees, top), max(repeat // 10, 1))
        out["scope_kept_top_us"] = per_call_us(lambda: subtree(committees, top), repeat)
        out["token_check_committees"], out["token_check_tokens"] = len(committees), len(store.tokens())
    return out


def committee_rows(committees: dict[str, dict]) -> list[dict]:
    """A committee table as roster rows (id, name, level, parent)."""
    return [{k: p[k] for k in ("id", "name", "level", "parent_id") if p.get(k) is not None}
            for p in committees.values()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="nation", choices=["county", "city", "province", "nation"])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    from liaison_graph.loaders.generate import hierarchy

    committees = list(hierarchy(args.scale, random.Random(f"1:{args.scale}")))  # as generate() draws them
    rows = [{"id": c.id, "name": c.name, "level": c.level, **({"parent_id": c.parent_id} if c.parent_id else {})}
            for c in committees]
    county = next((c.id for c in committees if "K" in c.id), committees[0].id)
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(measure(rows, Path(tmp), county, args.repeat), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
