"""The Bolt store's kept tables (``graph/bolt_tables.py``) under many readers at once: a table
whose sequence has moved is read again once, by one thread, and every thread that found it
moved meanwhile takes that one table. No server: the reads are the test's own."""

from __future__ import annotations

import threading

from liaison_graph.graph.bolt_tables import TOKENS, Tables

READERS = 8
WAIT = 60  # seconds: a state that never comes fails the test instead of hanging it


class Server:
    """Answers the two queries a token table needs; the table's read holds until every
    reader has asked for the sequence's number, so all of them find the table unread."""

    def __init__(self):
        self.value = 1
        self.asked = 0
        self.loads = 0
        self.guard = threading.Lock()
        self.all_asked = threading.Event()

    def read(self, name: str, params: dict | None = None, **names) -> list[dict]:
        if name == "sequence_values":
            assert params == {"names": [TOKENS]}
            with self.guard:
                self.asked += 1
                if self.asked == READERS:
                    self.all_asked.set()
            return [{"value": self.value}]
        assert name == "tokens"
        with self.guard:
            self.loads += 1
        assert self.all_asked.wait(WAIT), "not every reader asked for the sequence's number"
        return [{"props": {"id": f"t{self.value}", "secret_hash": "h", "committee_id": "P1", "role": "viewer",
                           "created_at": "2026-01-01T00:00:00Z"}}]


def test_a_moved_table_is_read_again_once_whatever_the_readers_at_once():
    server = Server()
    tables = Tables(server.read)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(tables.tokens())) for _ in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert len(got) == READERS and server.loads == 1
    assert all(table is got[0] for table in got) and list(got[0]) == ["t1"]

    server.value, server.asked = 2, 0  # a token written elsewhere: the number moves
    server.all_asked.clear()
    threads = [threading.Thread(target=lambda: got.append(tables.tokens())) for _ in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert server.loads == 2 and list(got[-1]) == ["t2"] and all(table is got[-1] for table in got[READERS:])
