"""What a Bolt store keeps between calls: the committee table and the tokens, each read again
only when its sequence has moved — the change feed's (every roster write moves it) and the
tokens' (every token written or revoked moves it) — so a request asks the server for two
numbers instead of every committee and every token, and the committee table stays the same
dict while unchanged (``graph/view.py`` keeps the scopes it works out for as long).

Many threads read through one store at once (``Store.concurrent_reads``): a table is read
again under a lock of its own, so one thread reads it while the others that find it moved
wait and take what it read, and what is kept is replaced whole, never changed in place."""

from __future__ import annotations

import threading
from collections.abc import Callable

from liaison_graph.graph.store import TokenRecord

ROSTER, TOKENS = "changes", "tokens"  # the sequences' names (cypher/journal_next_seq.cypher)


class Tables:
    def __init__(self, read: Callable[..., list[dict]]):
        self.read = read  # runs a query of cypher/ in a read transaction (the storage's)
        self._kept: dict[str, tuple[int, object]] = {}  # sequence -> (its value, the table read after it)
        self._reading = {ROSTER: threading.Lock(), TOKENS: threading.Lock()}

    def _at(self, sequence: str, load: Callable[[], object]):
        # the number first, then the table: a write between the two reads it again next time
        at = self.read("sequence_values", {"names": [sequence]})[0]["value"]
        kept = self._kept.get(sequence)
        if kept is not None and kept[0] == at:
            return kept[1]
        with self._reading[sequence]:
            kept = self._kept.get(sequence)  # another thread may have read it meanwhile
            if kept is None or kept[0] != at:
                kept = (at, load())
                self._kept[sequence] = kept
        return kept[1]

    def forget(self) -> None:
        """Read both tables again next time (after an import that read past its own marker)."""
        self._kept = {}

    def committees(self) -> dict[str, dict]:
        return self._at(ROSTER, lambda: {r["props"]["id"]: r["props"] for r in self.read("committees")})

    def tokens(self) -> dict[str, TokenRecord]:
        """The tokens by id, oldest first."""
        fields = TokenRecord.__dataclass_fields__
        return self._at(TOKENS, lambda: {t.id: t for t in (TokenRecord(**{k: r["props"].get(k) for k in fields})
                                                          for r in self.read("tokens"))})
