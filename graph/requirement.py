"""What makes a liaison effective under its rule: the contact requirement a rule may carry,
in one place for every way a report is worked out (a view, the report columns, Cypher) and
for the list of what is due.

A rule says it as::

    contact: {modes: [谈心谈话], count: 2, per: 每半年}   # or within_days: 90 instead of per
    contact: {per: 每季度, people: 3}                    # through: [masses]: 3 fixed contacts, each
    mechanisms: [四联]                                   # only liaisons of these mechanisms count
    affinity: activity_group
    affinity_required: true                              # the pair must share the grouping

Without ``contact`` a rule asks for one contact of any mode within the policy's window
(``window_days``), as before. Contacts count in either direction between the pair, on or
before the day; a liaison to a sector or group counts a contact with any current member of
it (each member on its own: ``count`` contacts with one of them).

**Effective on a day.** A calendar requirement (``per``) is due by the end of each period,
so on a day in a period a liaison is effective when this period already holds ``count``
qualifying contacts, or the one before did (this one is not over yet). A rolling one
(``within_days``) asks for ``count`` qualifying contacts within that many days before the
day. Both are one test, ``count`` qualifying contacts in ``[b, day]`` or in ``[a, b)``,
with ``bounds`` giving ``a`` and ``b`` (``a == b`` for a rolling window). Effectiveness is
evidence: a liaison made this period with no contact yet is not effective, though nothing
is overdue (``due``).

**Why not.** A liaison that is not effective has a reason (model.yaml:
``ineffective_reason``), the first that applies of: its mechanism is not among those
counted; the pair shares no grouping the rule requires; no qualifying contact and no
contact at all (no contact); contacts, but none of a counted mode (wrong mode); qualifying
contacts, but all before ``a`` (too long ago); some since ``a``, but fewer than ``count``
in either period (too few). A rule of contacts with the masses (``through: [masses]``) judges
each fixed contact of a member (a person of their sector, by name) as a pair, and the member
is effective when ``people`` of them are (``masses_reason``). Each reason has a code, 0 for effective and the rest in the
vocabulary's order (the closest to effective first), so an item covered by several
liaisons takes the least code of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liaison_graph.graph import days
from liaison_graph.graph.model import model

_M = model()
MODES = _M.enums["contact_mode"]
PERIODS = _M.enums["contact_period"]
REASONS = ("effective", *_M.enums["ineffective_reason"].labels)  # code -> reason
# A contact carrying ``review`` (model.yaml: contact_review) waits for the office or was sent
# back: no report, due list or finding counts it; one without it is confirmed.
REVIEW, PENDING, REJECTED = "review", "pending", "rejected"
EFFECTIVE, TOO_FEW, TOO_LONG_AGO, WRONG_MODE, NO_CONTACT, NO_AFFINITY, WRONG_MECHANISM = range(len(REASONS))
KEYS = {"modes", "count", "per", "within_days", "people"}


@dataclass(frozen=True)
class Requirement:
    modes: tuple[str, ...] = ()  # contact_mode codes that count; none given: every mode
    count: int = 1  # qualifying contacts a period (or the window) asks for
    period: str | None = None  # contact_period code; None: a rolling window
    within_days: int | None = None  # the rolling window; None: the policy's window_days
    mechanisms: tuple[str, ...] = ()  # the liaisons' mechanisms counted; none given: every one
    affinity_required: bool = False  # the pair must share the rule's affinity grouping
    people: int | None = None  # a rule of contacts with the masses: fixed contacts each meeting it; else None

    def window(self, window_days: int) -> int:
        return self.within_days if self.within_days is not None else window_days

    def bounds(self, day: str, window_days: int) -> tuple[str, str]:
        """``(a, b)``: the previous period's and this period's first days, or the window's
        first day twice (see above)."""
        if self.period is None:
            start = days.shifted(day, -self.window(window_days))
            return start, start
        this = period_start(dt.date.fromisoformat(day), self.period)
        return period_start(this - dt.timedelta(days=1), self.period).isoformat(), this.isoformat()

    def qualifies(self, mode: str | None) -> bool:
        return not self.modes or (mode or MODES_DEFAULT) in self.modes

    def judge(self, contacts: list[tuple[str, str | None]], a: str, b: str) -> int:
        """The reason code of one pair from its contacts ``(day, mode)`` on or before the day
        (the mechanism and affinity are the caller's: ``reason``)."""
        if not contacts:
            return NO_CONTACT
        dates = [d for d, mode in contacts if self.qualifies(mode)]
        if not dates:
            return WRONG_MODE
        if sum(d >= b for d in dates) >= self.count or sum(a <= d < b for d in dates) >= self.count:
            return EFFECTIVE
        return TOO_FEW if any(d >= a for d in dates) else TOO_LONG_AGO

    def words(self, window_days: int) -> str:
        """The requirement in Chinese (例：每半年谈心谈话至少 2 次)."""
        when = PERIODS.label(self.period) if self.period else f"{self.window(window_days)} 天内"
        how = "或".join(MODES.label(m) for m in self.modes) if self.modes else "联系"
        out = f"{when}{how}至少 {self.count} 次"
        if self.people is not None:
            out = f"固定联系群众至少 {self.people} 人，每人{out}"
        if self.mechanisms:
            out += f"（限联系机制：{'、'.join(self.mechanisms)}）"
        if self.affinity_required:
            out += "（须同一分组）"
        return out


MODES_DEFAULT = _M.tables["contacts"].columns["mode"].default
ANY = Requirement()  # a rule without a contact requirement: one contact of any mode within the window


def reason_words(not_effective: dict[str, int]) -> str:
    """Why covered items are not effective, in Chinese (例：方式不符 1 人、无联系记录 2 人)."""
    labels = _M.enums["ineffective_reason"]
    return "、".join(f"{labels.label(name)} {n}" for name, n in not_effective.items() if n)


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the calendar period holding ``day``."""
    month = {"month": day.month, "quarter": 3 * ((day.month - 1) // 3) + 1,
             "half_year": 1 if day.month <= 6 else 7, "year": 1}[period]
    return day.replace(month=month, day=1)


def period_end(day: dt.date, period: str) -> dt.date:
    """The last day of the calendar period holding ``day``."""
    start = period_start(day, period)
    months = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[period]
    year, month = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


def reason(req: Requirement, mechanism: str | None, shares: bool, pairs: list[list[tuple]], a: str, b: str) -> int:
    """A member's liaison's reason code: its mechanism, whether the pair shares the required
    grouping (``shares``), then the least code over the contacts of each pair it reaches."""
    if req.mechanisms and mechanism not in req.mechanisms:
        return WRONG_MECHANISM
    if req.affinity_required and not shares:
        return NO_AFFINITY
    return min((req.judge(contacts, a, b) for contacts in pairs), default=NO_CONTACT)


def masses_reason(req: Requirement, people: list[list[tuple]], a: str, b: str) -> int:
    """A member's reason code under a rule of contacts with the masses, from the contacts
    ``(day, mode)`` with each of their fixed contacts: effective when ``req.people`` of them
    each meet the requirement; else the reason of the one that would make up the number
    (the ``people``-th closest to effective). Fewer people than that on record: no contact."""
    codes = sorted(req.judge(contacts, a, b) for contacts in people)
    return codes[req.people - 1] if len(codes) >= req.people else NO_CONTACT


@dataclass(frozen=True)
class Due:
    last: str | None  # the last qualifying contact on or before the day
    done: int  # qualifying contacts in the current period (or the window)
    due: str  # the day the next qualifying contact is due by
    overdue: int  # days past ``due`` (0: not overdue)


def due(req: Requirement, contacts: list[tuple[str, str | None]], day: str, window_days: int,
        started: str | None) -> Due:
    """When the next qualifying contact of a liaison is due, from its contacts ``(day, mode)``
    on or before the day and the day it started (None: not known).

    Per period: when this period is met, by the end of the next; when the period before
    was met or the liaison started this period, by the end of this one; else it was due by
    the end of the period before. Within a window: ``within_days`` after the ``count``-th
    latest qualifying contact; with fewer, that many days after the liaison started (the day
    itself when that is not known)."""
    dates = sorted((d for d, mode in contacts if req.qualifies(mode)), reverse=True)
    a, b = req.bounds(day, window_days)
    done = sum(d >= b for d in dates)
    if req.period is None:
        window = req.window(window_days)
        base = dates[req.count - 1] if len(dates) >= req.count else started
        when = days.shifted(base, window) if base is not None else day
    else:
        today = dt.date.fromisoformat(day)
        end = period_end(today, req.period)
        if done >= req.count:
            when = period_end(end + dt.timedelta(days=1), req.period).isoformat()
        elif sum(a <= d < b for d in dates) >= req.count or (started is not None and started >= b):
            when = end.isoformat()
        else:
            when = days.shifted(b, -1)
    return Due(last=dates[0] if dates else None, done=done, due=when, overdue=max(0, days.between(when, day)))


def parse(doc, spec: dict, rule_id: str, has_affinity: bool, masses: bool = False) -> Requirement | None:
    """A rule's requirement from its ``contact``, ``mechanisms`` and ``affinity_required``
    keys (``doc``: the policy parser, which names the line at fault); None without them, but
    for a rule of contacts with the masses (``masses``), which always counts people (one
    fixed contact unless ``contact.people`` says more)."""
    values: dict = {"people": 1} if masses else {}
    if "contact" in spec:
        node = spec["contact"]
        contact = doc.mapping(node, "contact", KEYS)
        if "per" in contact and "within_days" in contact:
            raise doc.fail(node, f"「contact」的 per 与 within_days 只能给一个（规则「{rule_id}」）")
        if "modes" in contact:
            values["modes"] = tuple(word(doc, item, MODES, "contact.modes") for item in doc.items(contact["modes"]))
        if "count" in contact:
            values["count"] = doc.integer(contact["count"], "contact.count")
            if values["count"] < 1:
                raise doc.fail(contact["count"], "「contact.count」应至少为 1")
        if "per" in contact:
            values["period"] = word(doc, contact["per"], PERIODS, "contact.per")
        if "within_days" in contact:
            values["within_days"] = doc.integer(contact["within_days"], "contact.within_days")
        if "people" in contact:
            if not masses:
                raise doc.fail(contact["people"], f"「contact.people」只适用于 through: [masses] 的规则（规则「{rule_id}」）")
            values["people"] = doc.integer(contact["people"], "contact.people")
            if values["people"] < 1:
                raise doc.fail(contact["people"], "「contact.people」应至少为 1")
    if "mechanisms" in spec:
        values["mechanisms"] = tuple(doc.scalar(item, "mechanisms") for item in doc.items(spec["mechanisms"]))
    if "affinity_required" in spec:
        values["affinity_required"] = doc.boolean(spec["affinity_required"], "affinity_required")
        if values["affinity_required"] and not has_affinity:
            raise doc.fail(spec["affinity_required"], f"「affinity_required」需要同时给出「affinity」（规则「{rule_id}」）")
    return Requirement(**values) if values else None


def word(doc, node, enum, what: str) -> str:
    """A vocabulary's code from a policy file's word (its code, label or alias), or the
    line at fault."""
    value = doc.scalar(node, what)
    code = enum.parse(value)
    if code is None:
        raise doc.fail(node, f"「{what}」不认识「{value}」（可用：{'、'.join(enum.labels.values())}）")
    return code
