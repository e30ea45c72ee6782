"""A real Bolt server for the tests: ArcadeDB with its Bolt plugin, on loopback.

Run as ``python -m tests.bolt_server ROOT PASSWORD DATABASE``: it starts the server on
free ports of 127.0.0.1, creates the database and, beside it, the databases of ``SPARE``
(left without the store's schema, for the tests of ``liaison neo4j init`` and of a store
that refuses to open without it), and a read-only account on the database (``READER``: its
group may read records, and neither write one nor change the schema or the security),
prints ``READY <bolt port>`` and serves
until its standard input closes or it receives SIGTERM. The test fixture in
``conftest.py`` starts it once per session and stops it at the end.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

SPARE = ("bare", "fresh")  # "bare" stays without the schema; "fresh" is given it by a test of `neo4j init`
READER = ("reader", "liaison-reader-pw")  # the read-only account, name and password
# ArcadeDB's groups are per database: the reader's grants reading the records of every type
# and nothing else (no createRecord, updateRecord, deleteRecord, updateSchema, updateSecurity).
READ_ONLY_GROUP = '{"access": [], "resultSetLimit": -1, "readTimeout": -1, "types": {"*": {"access": ["readRecord"]}}}'
LOG_CONFIG = "handlers=java.util.logging.ConsoleHandler\n.level=SEVERE\njava.util.logging.ConsoleHandler.level=SEVERE\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(root: Path, password: str, database: str) -> None:
    from arcadedb_embedded.server import ArcadeDBServer

    log_config = root / "logging.properties"
    log_config.write_text(LOG_CONFIG)
    bolt_port = free_port()
    server = ArcadeDBServer(
        root_path=str(root / "databases"),
        root_password=password,
        config={
            "host": "127.0.0.1",
            "http_port": free_port(),
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": bolt_port,
        },
        jvm_kwargs={"heap_size": "2g", "jvm_args": [f"-Djava.util.logging.config.file={log_config}"]},
    )
    server.start()
    server.create_database(database)
    for spare in SPARE:
        server.create_database(spare)
    add_reader(server, database)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    print(f"READY {bolt_port}", flush=True)
    done.wait()
    server.stop()


def add_reader(server, database: str) -> None:
    """The read-only account on ``database``, through the server's own security (the Python
    wrapper has no call for users and groups; its Java server does)."""
    import json

    import jpype

    JSONObject = jpype.JClass("com.arcadedb.serializer.json.JSONObject")
    security = server._java_server.getSecurity()
    security.saveGroup(database, READER[0], JSONObject(READ_ONLY_GROUP))
    user = {"name": READER[0], "password": str(security.encodePassword(READER[1])), "databases": {database: [READER[0]]}}
    security.createUser(JSONObject(json.dumps(user)))


class BoltServer:
    """The server process, seen from the test session."""

    def __init__(self, root: Path, password: str = "liaison-test-pw", database: str = "liaison"):
        self.password, self.database = password, database
        self.reader = READER  # (name, password) of the read-only account on ``database``
        root.mkdir(parents=True, exist_ok=True)
        self.err = (root / "server.err").open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bolt_server", str(root), password, database],
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.err,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.proc.kill()
            self.err.close()
            err = (root / "server.err").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Bolt test server did not start: {line!r} {err}")
        self.uri = f"bolt://127.0.0.1:{int(line.split()[1])}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.err.close()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
