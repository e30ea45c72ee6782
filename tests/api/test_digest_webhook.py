"""The service's digest sender: ``liaison serve --digest-webhook URL --digest-every HOURS``
POSTs the digest's JSON to the office's address on its schedule, each from the last one's
cursor, and after a restart from where the last one sent left off; a receiver that refuses a
digest gets the same period again. The receiver is a
plain HTTP server on loopback; every wait is for what it has received."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks.api_load import free_port, prepared_store, running


class Receiver:
    """Takes POSTed bodies; answers ``refuse_first`` of them 503."""

    def __init__(self, refuse_first: int = 0):
        self.bodies: list[dict] = []
        self.refused = 0
        self.arrived = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer.arrived:
                    refuse = outer.refused < refuse_first
                    if refuse:
                        outer.refused += 1
                    else:
                        outer.bodies.append(body)
                    outer.arrived.notify_all()
                self.send_response(503 if refuse else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n: int, timeout: float = 120) -> list[dict]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.bodies) >= n, timeout), (self.refused, self.bodies)
            return list(self.bodies)

    def close(self):
        self.server.shutdown()


def test_the_service_posts_a_digest_on_its_schedule_from_the_last_cursor(tmp_path):
    db, _, _ = prepared_store(tmp_path)
    receiver = Receiver(refuse_first=1)
    port = free_port()
    cmd = [sys.executable, "-m", "liaison_graph.api.cli", "serve", "--db", str(db), "--port", str(port), "--workers", "1",
           "--digest-webhook", receiver.url, "--digest-every", "0.0003", "--digest-committee", "XS",
           "--digest-policy", "fuxing"]
    try:
        with running(cmd, os.environ, port, 60):
            first, second = receiver.wait_for(2)[:2]
        taken = len(receiver.bodies)
        with running(cmd, os.environ, port, 60):  # started again: on from where the last one left off
            last, again = receiver.wait_for(taken + 1)[taken - 1:taken + 1]
    finally:
        receiver.close()
    assert receiver.refused == 1  # the refused one was sent again, not skipped
    assert first["committee_id"] == "XS" and first["policy"] == "fuxing" and "counts" in first
    assert {i["kind"] for i in first["items"]} <= {"new_gap", "became_overdue", "coming_due", "branch_expiring",
                                                    "activity_without_branch"}
    week_back = (dt.date.fromisoformat(first["as_of"]) - dt.timedelta(days=7)).isoformat()
    assert first["since"] == week_back and second["since"] == first["cursor"]  # the next from the last one's cursor
    assert again["since"] == last["cursor"]  # not a week back again
