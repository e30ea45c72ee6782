"""The liaison ledger's commands beside ``due``: the contacts members recorded with their
own tokens that wait for the office (``contacts pending``), and the office's review of one
(``contacts confirm``, ``--reject`` to send it back)."""

from __future__ import annotations

import click

from liaison_graph.api import output
from liaison_graph.api.commands.stores import open_store, store_options
from liaison_graph.api.commands.translate import emit_json, report_head
from liaison_graph.api.verbs import contacts as reviewing
from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.scope import WHOLE


@click.group()
def contacts():
    """联系记录：委员本人用自己的令牌记录、待组织办公室确认的联系（列出、确认或退回）。"""


@contacts.command("pending")
@click.option("--committee", "committee_id", metavar="ID", help="只看一个政协及其下级政协（编号或名称）")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def pending(committee_id, fmt, store_config):
    """列出待确认的联系（最早的在前）。"""
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = reviewing.pending(store, WHOLE, committee_id)
        head = report_head(store, fmt, committee_id)
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + output.pending_text(result))


@contacts.command("confirm")
@click.argument("from_id", metavar="FROM_ID")
@click.argument("to_id", metavar="TO_ID")
@click.argument("date", metavar="DATE")
@click.option("--mode", metavar="MODE", help="联系方式（谈心谈话、走访……；默认“其他”）")
@click.option("--reject", is_flag=True, help="退回：不计入覆盖（记录保留）")
@store_options
def confirm(from_id, to_id, date, mode, reject, store_config):
    """确认一条待确认的联系（此后计入有效覆盖），或用 --reject 退回。"""
    with open_store(store_config, write=True) as store:
        written = reviewing.review(store, WHOLE, from_id, to_id, date, mode, not reject)
    item = written["item"]
    click.echo(f"{'已退回' if reject else '已确认'}：{item['from_id']} → {item['to_id']}，{item['date']}")
