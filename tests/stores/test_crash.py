"""A loader killed with SIGKILL at any moment leaves the store whole: all or nothing."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from tests.conftest import EDGE_ROSTER, write_json

ROOT = Path(__file__).resolve().parents[2]
N = 6000


def big_roster() -> dict:
    members = [
        {"id": f"X{i}", "name": f"委员{i}", "affiliation": "中共党员" if i % 3 == 0 else "民盟",
         "committee_id": "C1", "sector": f"界别{i % 17}", "special_committees": "提案委员会、经济委员会",
         "activity_group": f"第{i % 6}组", "party_org_ids": "O2" if i % 3 == 0 else ""}
        for i in range(N)
    ]
    liaisons = [{"from_id": f"X{i}", "to": f"X{i + 1}"} for i in range(0, N - 1, 3)]
    return {"members": members, "liaisons": liaisons}


def run_load(db: Path, roster: Path | list[Path], kill_after_write_starts: float | None, command=None):
    rosters = roster if isinstance(roster, list) else [roster]
    proc = subprocess.Popen(
        [*(command or [sys.executable, "-m", "liaison_graph.api.cli"]), "-v", "--db", str(db), "load", *map(str, rosters)],
        cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    if kill_after_write_starts is None:
        marks = {}
        for line in proc.stderr:
            for mark in ("writing batch", "wrote batch"):
                if mark in line:
                    marks[mark] = time.monotonic()
        proc.wait(timeout=120)
        return proc.returncode, marks["wrote batch"] - marks["writing batch"]
    for line in proc.stderr:
        if "writing batch" in line:
            time.sleep(kill_after_write_starts)
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stderr.close()
    return proc.returncode


def test_sigkill_during_import_leaves_all_or_nothing(tmp_path):
    roster = write_json(tmp_path / "big.json", big_roster())
    db = tmp_path / "store.db"
    with EmbeddedStore(db) as store:
        load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
        before = store.dump()

    # A whole load, timed, into a copy: the full "after" state.
    full_db = tmp_path / "full.db"
    with EmbeddedStore(full_db) as store:
        load_files([write_json(tmp_path / "base2.json", EDGE_ROSTER)], store)
    code, write_time = run_load(full_db, roster, None)
    assert code == 0
    with EmbeddedStore(full_db) as store:
        after = store.dump()
    assert len(after["nodes"]) > len(before["nodes"]) + N

    rng = random.Random(20261122)
    outcomes = []
    for _ in range(8):
        delay = rng.uniform(0, write_time * 1.5)
        code = run_load(db, roster, delay)
        with EmbeddedStore(db) as store:
            state = store.dump()
        assert state in (before, after), f"half-written store after a kill {delay:.3f}s into the write"
        outcomes.append((code, state == after))
        if state == after:  # start again from the smaller state
            db.unlink()
            for suffix in ("-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            with EmbeddedStore(db) as store:
                load_files([write_json(tmp_path / "base.json", EDGE_ROSTER)], store)
    # Most kills land inside the write transaction and must leave nothing behind.
    assert sum(code == -signal.SIGKILL and not complete for code, complete in outcomes) >= 2, outcomes


# The command line with a city's import counted as large: built as columns, and written into
# an empty file from them through a rollback journal instead of the write-ahead log.
AS_LARGE = [sys.executable, "-c", "import sys; from liaison_graph import loaders; from liaison_graph.graph import fastpaths; "
            "fastpaths.WRITE_INDEXES_LAST_FROM = 1000; fastpaths.BUILD_AS_COLUMNS_FROM = 0; from liaison_graph.api.cli import main; "
            "sys.exit(main(sys.argv[1:]))"]


def test_sigkill_during_a_large_import_into_an_empty_file_leaves_it_empty_or_whole(tmp_path):
    from liaison_graph.loaders.generate import generate

    generate("city", 6, tmp_path / "roster", "csv")
    paths = sorted((tmp_path / "roster").glob("*.csv"))
    empty_db, full_db = tmp_path / "empty.db", tmp_path / "full.db"
    with EmbeddedStore(empty_db) as store:
        before = store.dump()
    code, write_time = run_load(full_db, paths, None, AS_LARGE)
    assert code == 0
    day = dt.date(2026, 6, 30)
    with EmbeddedStore(full_db) as store:
        after, full_gaps = store.dump(), store.gaps("non-party-without-liaison", day)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(after["nodes"]) > 1000 and full_gaps

    rng = random.Random(20261126)
    outcomes = []
    for i in range(8):
        db = tmp_path / f"killed{i}.db"
        delay = rng.uniform(0, write_time * 1.5)
        code = run_load(db, paths, delay, AS_LARGE)
        hot_journal = Path(f"{db}-journal").exists()  # killed inside the write: the rollback journal is left
        with EmbeddedStore(db) as store:
            state, gaps = store.dump(), store.gaps("non-party-without-liaison", day)
            assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert state in (before, after), f"half-written store after a kill {delay:.3f}s into the write"
        assert gaps == (full_gaps if state == after else [])
        outcomes.append((code, state == after, hot_journal))
    killed_inside = [o for o in outcomes if o[0] == -signal.SIGKILL and not o[1]]
    assert len(killed_inside) >= 2 and any(o[2] for o in killed_inside), outcomes
