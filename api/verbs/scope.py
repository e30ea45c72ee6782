"""Whose question it is: the caller's committee and every committee below it, or the whole
store (the command line), and the name its writes carry in the audit trail.

Every verb takes a ``Scope``. A committee named in a request must lie in it (else 403, as
forbidden); a member, organisation, liaison or token looked up by id outside it is absent
(404, as not found). ``lock`` is what a verb holds while it reads or writes the store: for
the HTTP API the service's lock for a write and its read guard for a read (``api/service.py``),
nothing for the command line."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from liaison_graph.graph.errors import Forbidden, NotFound
from liaison_graph.graph.model import model
from liaison_graph.graph.store import Store

Lock = AbstractContextManager
NO_LOCK: Lock = nullcontext()  # the command line: one caller, nothing to wait for


@dataclass(frozen=True)
class Scope:
    committee_id: str | None = None  # the caller's committee; None: the whole store
    committees: frozenset[str] | None = None  # it and every committee below it; None: every committee
    actor: str = "cli"  # who writes, as the audit trail names them
    member_id: str | None = None  # a member's own token: their liaisons and contacts only
    confirm: bool = False  # such a member's contacts wait for the office's confirmation

    @property
    def whole(self) -> bool:
        return self.committees is None

    def sees(self, committee_id: str | None) -> bool:
        """Whether a thing of this committee (None: a thing that does not exist) is the caller's."""
        return committee_id is not None and (self.committees is None or committee_id in self.committees)

    def check_committee(self, committee_id: str | None, field: str = "committee_id") -> None:
        """A committee named in a request (None: none named) must lie in the scope."""
        if committee_id is not None and self.committees is not None and committee_id not in self.committees:
            raise Forbidden(f"无权访问政协「{committee_id}」", field=field, value=committee_id)

    def check_owned(self, committee_id: str | None, what: str, node_id: str) -> None:
        """A thing looked up by id outside the scope is reported as absent."""
        if not self.sees(committee_id):
            raise NotFound(f"找不到{what}「{node_id}」", id=node_id)

    def root(self, committee_id: str | None) -> str | None:
        """The committee a question is about: the one asked for (which must lie in the
        scope), else the caller's own (None: the whole store)."""
        self.check_committee(committee_id)
        return committee_id or self.committee_id


WHOLE = Scope()  # the command line: every committee, writes by "cli"


def owned(store: Store, scope: Scope, kind: str, node_id: str) -> dict:
    """A node's properties, if it exists and lies in the scope (else not found)."""
    props = store.node_props(kind, [node_id]).get(node_id)
    scope.check_owned(props and props.get("committee_id"), model().nodes[kind].label, node_id)
    return props


def within(props: dict, committees) -> dict:
    """A committee's row as a caller may see it: a parent outside the caller's committees
    (a county token's city) is not named."""
    if committees is not None and props.get("parent_id") is not None and props["parent_id"] not in committees:
        return {k: v for k, v in props.items() if k != "parent_id"}
    return props
