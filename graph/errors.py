"""One exception tree for the whole product.

Every error a person may see derives from :class:`LiaisonError`; it carries a Chinese,
one-line message and structured details. The CLI and the API convert it at the edge
(one line and an exit status: 3 for :class:`Unavailable`, 1 for every other; one JSON
error shape); library code never prints.
"""

from __future__ import annotations

from dataclasses import dataclass


class LiaisonError(Exception):
    """Root of the product's errors. ``code`` is a stable English identifier."""

    code = "error"

    def __init__(self, message: str, **details):
        message = " ".join(part.strip() for part in message.splitlines() if part.strip())  # always one line
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # as it is, whatever its class's constructor takes: an error raised in another
        # process (the long questions') is raised again here with its message and details
        return _again, (type(self), self.message, dict(self.__dict__))


def _again(cls: type[LiaisonError], message: str, state: dict) -> LiaisonError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ModelError(LiaisonError):
    """The model or a policy file is malformed."""

    code = "model_error"


class StoreError(LiaisonError):
    """The store cannot be opened or written."""

    code = "store_error"


class Unavailable(LiaisonError):
    """Not the input but the machine around the product: a store that cannot be reached or
    opened, a port another program holds, the page's libraries not installed."""

    code = "unavailable"


class StoreUnreachable(StoreError, Unavailable):
    """The store is there but cannot be reached or opened now (a graph server down, a file
    locked or not readable)."""


class SchemaMissing(StoreError, Unavailable):
    """A graph server's database lacks the constraints and indexes the Bolt store needs
    (``liaison neo4j init`` creates them): the environment, not what was typed."""

    code = "schema_missing"


class LoadUnfinished(StoreError, Unavailable):
    """An import into a graph server written in bounded transactions is under way or was
    interrupted: the roster is neither the old nor the new one until it is finished
    (``graph/bolt_loads.py``)."""

    code = "load_unfinished"


class NotFound(LiaisonError):
    code = "not_found"


class MemberNotFound(NotFound):
    code = "member_not_found"


class CommitteeNotFound(NotFound):
    code = "committee_not_found"


class Ambiguous(LiaisonError):
    """A name that more than one committee, member or organisation answers to; the message
    lists them with their ids."""

    code = "ambiguous"


class UnknownRule(LiaisonError):
    code = "unknown_rule"


class BadArgument(LiaisonError):
    """A command-line or API argument is wrong (a date that is no date, …)."""

    code = "bad_argument"


@dataclass(frozen=True)
class Where:
    """Where in the input a value sits: file, sheet, row, column."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # column letter in a sheet, or 1-based index in a CSV
    header: str | None = None  # the header cell as the office wrote it

    def describe(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column or self.header:
            col = f"{self.column}列" if self.column else "列"
            parts.append(f"{col}「{self.header}」" if self.header else col)
        return " ".join(parts)

    def at(self, column: str | None, header: str | None) -> Where:
        return Where(self.file, self.sheet, self.row, column, header)


class InputError(LiaisonError):
    """A roster file is refused. The message names file, sheet, row and column."""

    code = "input_error"

    def __init__(self, where: Where, problem: str, value: object = None):
        message = f"{where.describe()}：{problem}"
        super().__init__(
            message,
            file=where.file,
            sheet=where.sheet,
            row=where.row,
            column=where.column,
            header=where.header,
            value=None if value is None else str(value),
        )
        self.where = where
        self.problem = problem


class Conflict(LiaisonError):
    """Someone else changed the thing being edited since it was read (ETag mismatch)."""

    code = "conflict"


class Unauthorized(LiaisonError):
    code = "unauthorized"


class Forbidden(LiaisonError):
    code = "forbidden"


class TooLarge(LiaisonError):
    code = "too_large"
