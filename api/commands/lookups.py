"""The commands a person starts from, to find the names and ids the others take: the
committee tree with its counts (``committees``) and members found by name or id
(``members``), answered by ``api/verbs/lookups.py`` as the HTTP API answers them."""

from __future__ import annotations

import click

from liaison_graph.api import output
from liaison_graph.api.commands.stores import open_store, store_options
from liaison_graph.api.commands.translate import emit_json, parse_day, report_head
from liaison_graph.api.verbs import lookups as finding
from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.lookups import NodeFilter


def _format():
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                        help="输出格式")


@click.command()
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天）：在任委员和当天的缺口")
@_format()
@store_options
def committees(as_of, fmt, store_config):
    """列出政协（按上下级缩进）：名称、编号，本级在任委员、中共党员、党外委员人数和两个全覆盖的缺口数。"""
    day = parse_day(as_of)
    with open_store(store_config) as store:
        result = finding.committee_tree(store, WHOLE, day)
        head = report_head(store, fmt)
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + output.committees_table(result))


@click.command()
@click.option("--q", "q", metavar="TEXT", help="姓名包含该文字，或编号等于它")
@click.option("--committee", "committee_id", metavar="ID", help="只在一个政协及其下级政协中找（编号或名称）")
@click.option("--as-of", "as_of", metavar="DATE", help="只列出该日在任的委员（默认不限，离任的也列出）")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True, help="最多列出几名")
@_format()
@store_options
def members(q, committee_id, as_of, limit, fmt, store_config):
    """按姓名或编号查找委员：姓名、编号、所属政协、界别、政治面貌（与接口 GET members?q= 相同）。"""
    day = parse_day(as_of, "--as-of").isoformat() if as_of is not None else None
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = finding.members(store, WHOLE, committee_id, NodeFilter(day=day, q=q or None), limit)
        head = report_head(store, fmt, committee_id)
        names = store.committees()
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + output.members_table(result, names, q))
