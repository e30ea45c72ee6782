"""Bearer tokens: issued by ``liaison token create``, stored hashed, scoped to a committee
and the committees below it, with a role (viewer < editor < admin), revocable and
optionally expiring. A member's own token (role ``member``, ``token create --member``) is
of the member's committee and reaches only what is the member's: their liaisons and what
is due (``GET due``), contacts recorded for them (``POST contacts``), ``GET me`` and the
built-in policies (``GET policies``); every
other route refuses it (``api/service.py``: ``get_caller``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from liaison_graph.api.verbs.scope import Scope
from liaison_graph.graph.batch import Audit, now
from liaison_graph.graph.errors import BadArgument, CommitteeNotFound, Forbidden, NotFound, Unauthorized
from liaison_graph.graph.store import Store, TokenRecord
from liaison_graph.graph.view import subtree

ROLES = {"member": -1, "viewer": 0, "editor": 1, "admin": 2}
ROLE_LABELS = {"member": "委员本人", "viewer": "只读", "editor": "编辑", "admin": "管理员"}
MEMBER = "member"
TOKEN = re.compile(r"lg_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(store: Store, committee_id: str, role: str, name: str | None = None,
                 expires_days: int | None = None, actor: str = "cli", member_id: str | None = None,
                 confirm: bool = False) -> tuple[TokenRecord, str]:
    """A new token: its record (kept) and the token string (shown once, never kept). The
    record and its audit record (``token.create`` by ``actor``) are one transaction. A
    member's own token names the member (of ``committee_id``), and whether the contacts it
    records wait for the office's confirmation (``confirm``)."""
    if role not in ROLES:
        raise BadArgument(f"未知的角色「{role}」（可用：{'、'.join(ROLES)}）", field="role", value=role)
    if committee_id not in store.committees():
        raise CommitteeNotFound(f"找不到政协「{committee_id}」", committee_id=committee_id)
    if (role == MEMBER) != (member_id is not None):
        raise BadArgument("委员本人的令牌（角色 member）须且只须指明一名委员", field="member_id", value=member_id)
    if member_id is not None and (store.node_props("Member", [member_id]).get(member_id) or {}).get(
            "committee_id") != committee_id:
        raise NotFound(f"政协「{committee_id}」中找不到委员「{member_id}」", id=member_id)
    token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    expires = None
    if expires_days is not None:
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days)).isoformat(timespec="seconds")
        expires = expires.replace("+00:00", "Z")
    record = TokenRecord(token_id, _hash(secret), committee_id, role, name, now(), expires, member_id=member_id,
                         confirm=confirm)
    store.add_token(record, Audit(actor, "token.create", [committee_id], token_id, None,
                                  {"role": role, "name": name, "expires_at": expires,
                                   **({"member_id": member_id, "confirm": confirm} if member_id else {})}))
    return record, f"lg_{token_id}_{secret}"


def revoke_token(store: Store, token_id: str, actor: str = "cli") -> TokenRecord:
    """Revoke a live token (at once) and write its audit record (``token.revoke`` by
    ``actor``), in one transaction; the token's record as it was."""
    record = store.token(token_id)
    if record is None or not store.revoke_token(token_id, now(), Audit(actor, "token.revoke", [record.committee_id],
                                                                      token_id)):
        raise NotFound(f"找不到未吊销的令牌「{token_id}」", id=token_id)
    return record


@dataclass(frozen=True)
class Caller:
    token: TokenRecord
    scope: frozenset[str]  # the token's committee and every committee below it

    @property
    def actor(self) -> str:
        return f"token:{self.token.id}"

    @property
    def bounds(self) -> Scope:
        """The caller as the verbs take it: its committee, those below it, its name in the audit trail."""
        return Scope(self.token.committee_id, self.scope, self.actor, self.token.member_id, self.token.confirm)

    @property
    def member(self) -> bool:
        """A member's own token."""
        return self.token.role == MEMBER

    def require(self, role: str) -> None:
        if ROLES[self.token.role] < ROLES[role]:
            raise Forbidden(f"该令牌的角色（{ROLE_LABELS[self.token.role]}）无权执行此操作，需要{ROLE_LABELS[role]}")

    def check_committee(self, committee_id: str | None, field: str = "committee_id") -> None:
        """A committee named in a request must lie in the token's scope."""
        self.bounds.check_committee(committee_id, field)

    def check_owned(self, committee_id: str | None, what: str, node_id: str) -> None:
        """A thing looked up by id outside the scope is reported as absent."""
        self.bounds.check_owned(committee_id, what, node_id)


def authenticate(store: Store, header: str | None) -> Caller:
    if not header or not header.lower().startswith("bearer "):
        raise Unauthorized("缺少访问令牌（请求头 Authorization: Bearer …）")
    m = TOKEN.fullmatch(header[7:].strip())
    if not m:
        raise Unauthorized("访问令牌格式不正确")
    token_id, secret = m.groups()
    record = store.token(token_id)
    if record is None or not hmac.compare_digest(record.secret_hash, _hash(secret)):
        raise Unauthorized("访问令牌无效")
    if record.revoked_at:
        raise Unauthorized("访问令牌已被吊销")
    if record.expires_at and record.expires_at <= now():
        raise Unauthorized("访问令牌已过期")
    committees = store.committees()
    if record.committee_id not in committees:
        raise Unauthorized("访问令牌所属的政协已不在库中")
    return Caller(record, subtree(committees, record.committee_id))  # kept while the table stands
