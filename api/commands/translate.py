"""What the commands share in translating: options into a verb's parameters (a day, a
policy named or read from a file) and results out (JSON on stdout, the header line of a
report for people)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import orjson

from liaison_graph.api.commands.stores import store_location
from liaison_graph.api.days import day_of
from liaison_graph.api.output import header_line
from liaison_graph.api.verbs.policies import POLICY_DOCUMENT_MAX, PolicyAsked, choose
from liaison_graph.graph.errors import BadArgument, InputError, UnknownRule, Where
from liaison_graph.graph.policy import builtin_policy
from liaison_graph.graph.store import Store

AS_OF_HELP = "统计日（默认今天），YYYY-MM-DD"


def parse_day(value: str | None, option: str = "--as-of") -> dt.date:
    """The day an option names (none: today); a value that is no day is refused naming the option."""
    if value is None:
        return dt.date.today()
    try:
        if value == "":
            raise BadArgument(f"无法识别的日期「{value}」（应为 YYYY-MM-DD）")
        return day_of(value, option)
    except BadArgument as exc:
        raise BadArgument(f"{option}：{exc.message}", value=value) from None


def policy_asked(value: str | None) -> PolicyAsked:
    """``--policy``: a built-in policy's name, or a policy file (.yaml), whose text is read
    here and handed on as the document the HTTP API takes in a request."""
    if value is None:
        return PolicyAsked()
    path = Path(value)
    try:
        builtin_policy(value)
        return PolicyAsked(name=value)
    except UnknownRule as exc:
        if not (path.suffix.lower() in (".yaml", ".yml") or path.exists()):
            raise UnknownRule(exc.message + "；也可以给出 .yaml 政策文件", policy=value) from None
    if not path.is_file():
        raise InputError(Where(path.name), "政策文件不存在或不是普通文件")
    try:
        with path.open(encoding="utf-8") as fh:
            text = fh.read(POLICY_DOCUMENT_MAX + 1)
    except UnicodeDecodeError:
        raise InputError(Where(path.name), "政策文件不是 UTF-8 文本") from None
    asked = PolicyAsked(document=text, source=path.name)
    choose(asked)  # a fault in the file is named before any store is opened
    return asked


def emit_json(obj) -> None:
    click.echo(orjson.dumps(obj))


def report_head(store: Store, fmt: str, committee_id: str | None = None, below: bool = True) -> str | None:
    """The header line of a report for people (the table format): the committee it speaks
    for and the store. None for the formats for machines, which stay as they are."""
    if fmt != "table":
        return None
    return header_line(store.committees(), committee_id, below, store_location(store))
