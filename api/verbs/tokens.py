"""Access tokens: issue, list and revoke, within the caller's scope. A token's record and
its audit record are written in one transaction (``Store.add_token`` and
``Store.revoke_token`` take both), through ``api/auth.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from liaison_graph.api.auth import MEMBER, create_token, revoke_token
from liaison_graph.api.verbs.names import committee_of, member_of
from liaison_graph.api.verbs.scope import NO_LOCK, Lock, Scope, owned
from liaison_graph.graph.errors import NotFound
from liaison_graph.graph.store import Store, TokenRecord


@dataclass(frozen=True)
class Issued:
    record: TokenRecord
    secret: str  # the token itself: shown once, never kept


class TokenRow(TypedDict):
    id: str
    committee_id: str
    role: str
    name: str | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    member_id: str | None


def create(store: Store, scope: Scope, committee_id: str | None, role: str, name: str | None = None,
           expires_days: int | None = None, *, member_id: str | None = None, confirm: bool = True,
           lock: Lock = NO_LOCK) -> Issued:
    """A new token of a committee with a role, or a member's own (``member_id``: of the
    member's committee, role member; ``confirm``: its contacts wait for the office)."""
    if member_id is not None:
        member_id = member_of(store, scope, member_id, lock=lock)
        with lock:
            committee_id = owned(store, scope, "Member", member_id)["committee_id"]
        role = MEMBER
    committee_id = committee_of(store, scope, committee_id, lock=lock)
    scope.check_committee(committee_id)
    with lock:
        record, secret = create_token(store, committee_id, role, name, expires_days, actor=scope.actor,
                                      member_id=member_id, confirm=confirm and member_id is not None)
    return Issued(record, secret)


def tokens(store: Store, scope: Scope, *, lock: Lock = NO_LOCK) -> list[TokenRow]:
    """Every token of the scope's committees, oldest first (never the token itself)."""
    with lock:
        records = store.tokens()
    return [{"id": t.id, "committee_id": t.committee_id, "role": t.role, "name": t.name, "created_at": t.created_at,
             "expires_at": t.expires_at, "revoked_at": t.revoked_at, "member_id": t.member_id}
            for t in records if scope.sees(t.committee_id)]


def revoke(store: Store, scope: Scope, token_id: str, *, lock: Lock = NO_LOCK) -> TokenRecord:
    """Revoke a live token of the scope at once; its record as it was."""
    with lock:
        record = store.token(token_id)
        if record is None or not scope.sees(record.committee_id):
            raise NotFound(f"找不到未吊销的令牌「{token_id}」", id=token_id)
        return revoke_token(store, token_id, actor=scope.actor)
