"""Contacts over the report columns (``graph/columnar.py``) as ledgers a contact requirement
is judged on for many at once (``graph/column_coverage.py`` asks them): the contacts on or
before a day, in runs — those of a pair of members, or of a member with one of their people
among the masses — each run's sorted by day, so that what ``Requirement.judge`` counts of a
run is a few binary searches. Days are those of ``graph/days.py``.
"""

from __future__ import annotations

import numpy as np

from liaison_graph.graph.columnar import Columns
from liaison_graph.graph.requirement import (EFFECTIVE, MODES_DEFAULT, NO_CONTACT, REASONS, TOO_FEW, TOO_LONG_AGO,
                                             WRONG_MODE, Requirement)


def lookup(ordered: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each key is in a sorted array, and whether it is there at all."""
    at = np.searchsorted(ordered, keys)
    found = at < len(ordered)
    found[found] = ordered[at[found]] == keys[found]
    return at, found


class Ledger:
    """Contacts in runs: ``keys`` each run's key, sorted; ``last`` its last contact's day;
    each contact placed at ``run * span + day - earliest``, so that every run's are one
    stretch of ``placed`` and a day's place in a run is a binary search."""

    def __init__(self, keys: np.ndarray, when: np.ndarray, mode: np.ndarray, d: int, modes: list):
        """From each contact's run (``keys``, int64), day (``when``, on or before day ``d``)
        and mode (its place in the vocabulary ``modes``; -1: the model's default)."""
        self.earliest = int(when.min()) if len(when) else d
        self.span = d - self.earliest + 2  # a run's offsets: 0 .. span - 2; span - 1 lies between two runs
        offset = (when - self.earliest).astype(np.int64)
        if len(keys) and int(keys.max()) < np.iinfo(np.int64).max // self.span - 1:
            order = np.argsort(keys * self.span + offset)  # by run and day, as one key: thrice a lexsort's speed
        else:
            order = np.lexsort((when, keys))
        keys, when = keys[order], when[order]
        self.mode, self.modes, self.d = mode[order], modes, d
        opens, closes = np.ones(len(keys), bool), np.ones(len(keys), bool)  # a run's first and last
        opens[1:] = closes[:-1] = keys[1:] != keys[:-1]
        self.keys, self.last = keys[opens], when[closes]
        self.placed = (np.cumsum(opens) - 1) * self.span + (when - self.earliest).astype(np.int64)
        self._qualifying: dict[tuple, np.ndarray] = {}

    def qualifying(self, modes: tuple[str, ...]) -> np.ndarray:
        """The places of the contacts of a counted mode (``Requirement.qualifies``), sorted."""
        if not modes:
            return self.placed
        if modes not in self._qualifying:
            codes = [code for code, mode in enumerate(self.modes) if (mode or MODES_DEFAULT) in modes]
            if MODES_DEFAULT in modes:
                codes.append(-1)  # a contact without a mode is of the model's default
            self._qualifying[modes] = self.placed[np.isin(self.mode, codes)]
        return self._qualifying[modes]

    def judged(self, need: Requirement, a: int, b: int, at: np.ndarray, found: np.ndarray) -> np.ndarray:
        """The reason code (``Requirement.judge``, with ``a`` and ``b`` its bounds as days) of
        each run ``at[i]``; where ``found[i]`` is false there is no run: no contact."""
        run = at.astype(np.int64) * self.span
        counted = self.qualifying(need.modes)

        def before(day: int) -> np.ndarray:  # where each run's counted contacts before a day end
            return np.searchsorted(counted, run + min(max(day - self.earliest, 0), self.span - 1))

        start, prev, this, end = before(self.earliest), before(a), before(b), before(self.d + 1)
        in_this, in_prev = end - this, this - prev
        return np.select([~found, end == start, (in_this >= need.count) | (in_prev >= need.count), end > prev],
                         [NO_CONTACT, WRONG_MODE, EFFECTIVE, TOO_FEW], TOO_LONG_AGO).astype(np.int8)


class Masses:
    """The contacts with the masses on or before a day (``View.masses``): a run for each
    member and one of their people; ``people`` how many people each node has on record."""

    def __init__(self, c: Columns, d: int):
        on_day = c.masses_day <= d
        width = int(c.masses_person.max()) + 1 if len(c.masses_person) else 1  # people a member has at most
        keys = c.masses_src[on_day].astype(np.int64) * width + c.masses_person[on_day]
        self.ledger = Ledger(keys, c.masses_day[on_day], c.masses_mode[on_day], d, c.contact_modes)
        self.member = self.ledger.keys // width  # each run's member, in order
        self.people = np.bincount(self.member, minlength=len(c.kind))

    def reasons(self, need: Requirement, a: int, b: int) -> np.ndarray:
        """Each node's reason code (``requirement.masses_reason``): each of its people judged,
        the ``need.people``-th closest to effective; no contact with fewer people than that."""
        runs = len(self.member)
        codes = self.ledger.judged(need, a, b, np.arange(runs), np.ones(runs, bool))
        # each member's people (the runs are in member order), the closest to effective first
        ranked = np.sort(self.member * len(REASONS) + codes) % len(REASONS)
        first = np.cumsum(self.people) - self.people  # where each node's people start among them
        out = np.full(len(self.people), NO_CONTACT, np.int8)
        enough = np.flatnonzero(self.people >= need.people)
        out[enough] = ranked[first[enough] + need.people - 1]
        return out
