"""Load on the county gap endpoint: requests per second and p50/p95/p99 latency with N
concurrent clients, against a real `liaison serve` process on loopback.

    python -m benchmarks.api_load [--clients 50] [--requests 5000] [--deadline 120]

Loads the sample county roster into a fresh embedded store, issues a viewer token, starts
the server on a free loopback port, then has every client send its share of
``GET /api/v1/gaps/non-party-without-liaison?committee_id=XS&as_of=2026-11-01``. It stops
after the given number of requests or the deadline, whichever comes first, and stops the
server. Every answer is checked against the store's own answer.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from liaison_graph.api.auth import create_token
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from liaison_graph.loaders.sample import SAMPLE

GAP_URL = "/api/v1/gaps/non-party-without-liaison?committee_id=XS&as_of=2026-11-01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(db: Path, port: int, timeout: float = 30.0, workers: int = 1):
    """`liaison serve` on 127.0.0.1:port over ``db`` with that many worker processes,
    stopped on exit."""
    cmd = [sys.executable, "-m", "liaison_graph.api.cli", "serve", "--db", str(db), "--port", str(port),
           "--workers", str(workers)]
    return running(cmd, os.environ, port, timeout)


@contextlib.contextmanager
def running(cmd: list[str], env, port: int, timeout: float):
    """A server started by ``cmd``, once its ``/readyz`` on 127.0.0.1:port answers; stopped on exit."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**env})
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() - started > timeout:
                raise RuntimeError(f"server did not start: {proc.stderr.read().decode(errors='replace')[-500:]}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def prepared_store(folder: Path) -> tuple[Path, str, dict]:
    """The sample county in a fresh store, a viewer token, and the expected answer."""
    import datetime as dt

    db = folder / "load.db"
    with EmbeddedStore(db) as store:
        load_files([SAMPLE], store)
        _, token = create_token(store, "XS", "viewer", "load test")
        items = store.gaps("non-party-without-liaison", dt.date(2026, 11, 1), "XS")
    expected = {"rule": "non-party-without-liaison", "as_of": "2026-11-01", "count": len(items), "items": items}
    return db, token, expected


def run_load(base: str, token: str, expected: dict, clients: int, requests: int, deadline: float) -> dict:
    """``clients`` threads share ``requests`` requests; stops early at ``deadline`` seconds."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    remaining = [requests]
    stop_at = time.monotonic() + deadline

    def client():
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            while time.monotonic() < stop_at:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                started = time.perf_counter()
                try:
                    r = http.get(GAP_URL)
                    ok = r.status_code == 200 and r.json() == expected
                    problem = None if ok else f"{r.status_code} {r.text[:100]}"
                except httpx.HTTPError as exc:
                    problem = repr(exc)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if problem:
                        failures.append(problem)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ms = sorted(x * 1000 for x in latencies)

    def pct(p):
        return ms[min(len(ms) - 1, int(round(p / 100 * len(ms))) - 1)] if ms else None

    return {"clients": clients, "requests": len(ms), "failures": len(failures), "first_failures": failures[:3],
            "seconds": round(wall, 2), "rps": round(len(ms) / wall, 1) if wall else None,
            "p50_ms": round(statistics.median(ms), 1) if ms else None, "p95_ms": round(pct(95), 1) if ms else None,
            "p99_ms": round(pct(99), 1) if ms else None}


WRK_SCRIPT = """done = function(summary, latency, requests)
  io.write(string.format("LATENCY %f %f %f\\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000,
                         latency:percentile(99) / 1000))
end
"""


def run_wrk(base: str, token: str, url: str, connections: int = 50, seconds: int = 10) -> dict | None:
    """The same load from wrk (a C client, two threads), when the machine has it: what the
    server can do when the client is not competing for the interpreter."""
    import re
    import shutil

    if not shutil.which("wrk"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "latency.lua"
        script.write_text(WRK_SCRIPT)
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
                              "-H", f"Authorization: Bearer {token}", base + url],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50, p95, p99 = (float(x) for x in re.search(r"LATENCY ([\d.]+) ([\d.]+) ([\d.]+)", out).groups())
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"client": "wrk", "connections": connections, "rps": round(rps, 1), "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1), "p99_ms": round(p99, 1), "failures": int(errors[1]) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--deadline", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db, token, expected = prepared_store(Path(tmp))
        with serving(db, free_port()) as base:
            result = run_load(base, token, expected, args.clients, args.requests, args.deadline)
            print(json.dumps({"client": "python threads", **result}, ensure_ascii=False))
            fast = run_wrk(base, token, GAP_URL, args.clients)
            if fast:
                print(json.dumps(fast, ensure_ascii=False))


if __name__ == "__main__":
    main()
