"""What a Bolt store keeps between calls: the committee table and the tokens, each read again
only when its sequence has moved — the change feed's (every roster write moves it) and the
tokens' (every token written or revoked moves it) — so a request asks the server for two
numbers instead of every committee and every token, and the committee table stays the same
dict while unchanged (``graph/view.py`` keeps the scopes it works out for as long)."""

from __future__ import annotations

from collections.abc import Callable

from liaison_graph.graph.store import TokenRecord

ROSTER, TOKENS = "changes", "tokens"  # the sequences' names (cypher/journal_next_seq.cypher)


class Tables:
    def __init__(self, read: Callable[..., list[dict]]):
        self.read = read  # runs a query of cypher/ in a read transaction (the storage's)
        self._kept: dict[str, tuple[int, object]] = {}

    def _at(self, sequence: str, load: Callable[[], object]):
        # the number first, then the table: a write between the two reads it again next time
        at = self.read("sequence_values", {"names": [sequence]})[0]["value"]
        kept = self._kept.get(sequence)
        if kept is None or kept[0] != at:
            kept = self._kept[sequence] = (at, load())
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
