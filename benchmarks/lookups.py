"""The lookups at scale: the first page of members and of sectors, and the token's own
committee, for a token of the roster's top committee (the national committee at nation
scale) and for a county's token, warm, through the application in this process (FastAPI's
test client; the routes, the token check and the gate as `liaison serve` runs them).

    python -m benchmarks.lookups [--db FILE] [--scale county|city|province|nation] [--repeat 30]

With ``--db`` it measures a store already loaded (the county is the first committee with
``K`` in its id); otherwise it generates the roster of ``--scale`` (seed 1) and loads it
first. Each figure is the median of ``--repeat`` calls after three warm-up calls; every
answer must be 200. The benchmark suite (``benchmarks/suite.py``) takes the same figures
at each of its scales.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

URLS = {"members": "/api/v1/members?limit=50", "sectors": "/api/v1/sectors?limit=50",
        "committee": "/api/v1/committees/{committee}"}
# Beyond the target, fewer runs each: a filtered list (read row by row), the list of
# liaisons, and one member's detail (its own edges).
MORE = {"members_filtered": "/api/v1/members?cpc=true&as_of=2026-06-30&q=王&limit=50",
        "party_orgs_as_of": "/api/v1/party-orgs?as_of=2026-06-30&limit=50",
        "liaisons": "/api/v1/liaisons?limit=50", "member": "/api/v1/members/{member}"}
MORE_REPEAT = 5
WARM = 3


def top_committee(committees: dict[str, dict]) -> str:
    """The committee with the most committees below it (the nation's at nation scale)."""
    below: dict[str, int] = {}
    for cid in committees:
        parent = committees[cid].get("parent_id")
        seen = set()
        while parent is not None and parent not in seen:
            seen.add(parent)
            below[parent] = below.get(parent, 0) + 1
            parent = committees.get(parent, {}).get("parent_id")
    return max(sorted(committees), key=lambda cid: below.get(cid, 0))


def measure(db: Path, county: str, repeat: int = 30) -> dict:
    """``lookup_<endpoint>_<top|county>_ms`` (median, warm), ``lookup_<endpoint>_<who>_total``
    (a list's total) and ``lookup_members_<who>_first_ms`` (the first call), over the store
    file ``db`` (viewer tokens are added to it)."""
    from fastapi.testclient import TestClient

    from liaison_graph.api.app import serving_app
    from liaison_graph.api.auth import create_token
    from liaison_graph.api.service import Service
    from liaison_graph.graph.embedded import EmbeddedStore

    out: dict = {}
    with EmbeddedStore(db) as store:
        who_is = {"top": top_committee(store.committees()), "county": county}
        tokens = {who: create_token(store, cid, "viewer", f"bench-lookups-{who}")[1] for who, cid in who_is.items()}
        with TestClient(serving_app(Service(store))) as client:
            for who, cid in who_is.items():
                headers = {"Authorization": f"Bearer {tokens[who]}"}

                def timed_get(name: str, url: str, times: int) -> None:
                    runs = []
                    for i in range(WARM + times):
                        started = time.perf_counter()
                        r = client.get(url, headers=headers)
                        runs.append(time.perf_counter() - started)
                        if r.status_code != 200:
                            raise RuntimeError(f"{url}: {r.status_code} {r.text[:200]}")
                    if name == "members":  # the first call after the store was opened counts the nodes by committee
                        out[f"lookup_members_{who}_first_ms"] = runs[0] * 1000
                    out[f"lookup_{name}_{who}_ms"] = statistics.median(runs[WARM:]) * 1000
                    if "total" in r.json():
                        out[f"lookup_{name}_{who}_total"] = r.json()["total"]

                for name, url in URLS.items():
                    timed_get(name, url.format(committee=cid), repeat)
                member = client.get(URLS["members"], headers=headers).json()["items"][0]["id"]
                for name, url in MORE.items():
                    timed_get(name, url.format(member=member), MORE_REPEAT)
        out["lookup_top"], out["lookup_county"] = who_is["top"], county
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--scale", default="province", choices=["county", "city", "province", "nation"])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from benchmarks.common import a_county

    if args.db is not None:
        from liaison_graph.graph.embedded import EmbeddedStore

        with EmbeddedStore(args.db, create=False) as store:
            county = next((c for c in sorted(store.committees()) if "K" in c), sorted(store.committees())[0])
        print(json.dumps(measure(args.db, county, args.repeat), ensure_ascii=False, indent=1))
        return
    from benchmarks.common import generated_store

    with tempfile.TemporaryDirectory() as tmp:
        db = generated_store(args.scale, 1, Path(tmp)) if args.scale != "nation" else _nation(Path(tmp))
        print(json.dumps(measure(db, a_county(Path(tmp) / "roster"), args.repeat), ensure_ascii=False, indent=1))


def _nation(folder: Path) -> Path:
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.loaders import load_files
    from liaison_graph.loaders.generate import generate

    generate("nation", 1, folder / "roster", "csv")
    with EmbeddedStore(folder / "bench.db") as store:
        load_files(sorted((folder / "roster").glob("*.csv")), store)
    return folder / "bench.db"


if __name__ == "__main__":
    main()
