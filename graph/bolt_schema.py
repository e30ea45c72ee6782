"""The Bolt store's schema, apart from its query files: what the schema statements
(``cypher/schema_*.cypher``, which ``graph/bolt_storage.py`` reads and hands in) create, what
a database's ``SHOW CONSTRAINTS`` and ``SHOW INDEXES`` show of it, and creating it.

What a store needs is read off the statements themselves, so that the check on opening and
``liaison neo4j init`` cannot disagree: each creates a uniqueness constraint or an index on
one (label, property)."""

from __future__ import annotations

import logging
import re

from neo4j.exceptions import Neo4jError

log = logging.getLogger(__name__)

ITEM = re.compile(r"FOR \(n:`?(\w+)`?\) (?:REQUIRE n\.(\w+) IS UNIQUE|ON \(n\.(\w+)\))")
AWAIT_INDEXES_S = 600  # how long `create` waits for the indexes to come online
MODES = ("require", "create", "leave")  # on opening: refuse without it, create what is missing, leave it be

Pairs = set[tuple[str, str]]


def wanted(statements: list[str]) -> tuple[Pairs, Pairs]:
    """The uniqueness constraints and the indexes the statements create, as (label, property)."""
    constraints, indexes = set(), set()
    for text in statements:
        label, unique, indexed = ITEM.search(text).groups()
        (constraints.add((label, unique)) if unique else indexes.add((label, indexed)))
    return constraints, indexes


def _pairs(rows: list[dict], keep) -> Pairs:
    return {(label, r["properties"][0]) for r in rows if keep(r) and len(r.get("properties") or ()) == 1
            for label in r.get("labelsOrTypes") or ()}


def missing(statements: list[str], constraint_rows: list[dict], index_rows: list[dict]) -> list[tuple[str, str]]:
    """What the statements create that the rows of ``SHOW CONSTRAINTS`` and ``SHOW INDEXES``
    do not show (an index not yet online counts as missing)."""
    unique = _pairs(constraint_rows, lambda r: "UNIQUE" in (r.get("type") or "").upper())
    online = _pairs(index_rows, lambda r: (r.get("state") or "").upper() == "ONLINE")
    constraints, indexes = wanted(statements)
    return sorted((constraints - unique) | (indexes - online))


def not_allowed(exc: Neo4jError) -> bool:
    """The account may not list the schema: the store opens without checking it."""
    return (exc.code or "").startswith("Neo.ClientError.Security.")


def create(session, statements: list[str], await_indexes: str) -> dict[str, int]:
    """Run the statements one by one (schema statements cannot share a transaction on
    Neo4j), then wait for the indexes (``await_indexes`` takes ``$seconds``); how many
    constraints and indexes were created."""
    added = {"constraints_added": 0, "indexes_added": 0}
    for text in statements:
        counters = session.run(text).consume().counters
        added["constraints_added"] += counters.constraints_added
        added["indexes_added"] += counters.indexes_added
    try:
        session.run(await_indexes, seconds=AWAIT_INDEXES_S).consume()
    except Neo4jError as exc:
        # A server without the procedure (ArcadeDB builds an index before it answers): nothing
        # to wait for; the caller checks the indexes' state all the same.
        if not ((exc.code or "").endswith("ProcedureNotFound") or "unknown procedure" in (exc.message or "").lower()):
            raise
        log.info("db.awaitIndexes not available (%s); index states checked instead", exc.code)
    return added
