"""The embedded store's journal and tokens: the change feed and audit trail written inside
each write's transaction, read back by cursor, and the API tokens (kept hashed)."""

from __future__ import annotations

import json
import sqlite3

from liaison_graph.graph.batch import Audit, Batch, changed_entities, entities_json, now
from liaison_graph.graph.sqlite_lists import props_text
from liaison_graph.graph.store import TokenRecord

TOKEN_COLUMNS = "id, secret_hash, committee_id, role, name, created_at, expires_at, revoked_at, member_id, confirm"


def roster_version(db: sqlite3.Connection) -> int:
    """The roster's version: the last change-feed number (see ``SqliteStore._roster``)."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    return row[0] if row else 0


def record(db: sqlite3.Connection, store, batch: Batch, columns=None) -> int | None:
    """Inside the write's transaction: one change entry per committee the batch touches
    (from its columns when it was written from them) and its audit record; the last
    change entry's cursor."""
    at = now()
    if columns is not None:
        entries = columns.feed(store)
    else:
        by_committee = changed_entities(batch, store.committees_of)
        entries = ((cid, props_text(entities_json(by_committee[cid])))
                   for cid in sorted(by_committee, key=lambda c: c or ""))
    cursor = None
    for committee_id, entities in entries:
        cursor = db.execute(
            "INSERT INTO changes (at, committee_id, entities) VALUES (?, ?, ?)", (at, committee_id, entities)).lastrowid
    if batch.audit is not None:
        audit_row(db, batch.audit, at)
    return cursor


def audit_row(db: sqlite3.Connection, a: Audit, at: str) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, action, committee_ids, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, a.actor, a.action, props_text(sorted(a.committee_ids)), a.target,
         None if a.before is None else props_text(a.before), None if a.after is None else props_text(a.after)),
    )


def changes(db: sqlite3.Connection, since: int, limit: int) -> list[dict]:
    rows = db.execute(
        "SELECT seq, at, committee_id, entities FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (since, limit))
    return [{"cursor": seq, "at": at, "committee_id": cid, "changes": json.loads(e)} for seq, at, cid, e in rows]


def audit(db: sqlite3.Connection, since: int, limit: int) -> list[dict]:
    rows = db.execute(
        "SELECT seq, at, actor, action, committee_ids, target, before, after FROM audit "
        "WHERE seq > ? ORDER BY seq LIMIT ?", (since, limit))
    return [
        {"seq": seq, "at": at, "actor": actor, "action": action, "committee_ids": json.loads(cids),
         "target": target, "before": json.loads(b) if b else None, "after": json.loads(a) if a else None}
        for seq, at, actor, action, cids, target, b, a in rows
    ]


def add_token(db: sqlite3.Connection, token: TokenRecord, audit: Audit | None) -> None:
    """The token and its audit record in one transaction: a failure takes both back."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        db.execute(f"INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (token.id, token.secret_hash, token.committee_id, token.role, token.name, token.created_at,
                    token.expires_at, token.revoked_at, token.member_id, int(token.confirm)))
        if audit is not None:
            audit_row(db, audit, now())


def tokens(db: sqlite3.Connection) -> list[TokenRecord]:
    return [TokenRecord(*row[:-1], bool(row[-1]))
            for row in db.execute(f"SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id")]


def revoke_token(db: sqlite3.Connection, token_id: str, at: str, audit: Audit | None) -> bool:
    with db:
        db.execute("BEGIN IMMEDIATE")
        done = db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (at, token_id)).rowcount
        if done == 1 and audit is not None:  # in the same transaction, as add_token
            audit_row(db, audit, now())
    return done == 1
