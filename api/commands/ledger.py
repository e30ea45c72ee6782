"""The liaison ledger's commands beside ``due``: the contacts members recorded with their
own tokens that wait for the office (``contacts pending``), and the office's review of one
(``contacts confirm``, ``--reject`` to send it back); the digest of what changed for
coverage (``digest``) and the acknowledgement of one of its items (``digest-ack``)."""

from __future__ import annotations

from pathlib import Path

import click

from liaison_graph.api import output_ledger
from liaison_graph.api.commands.questions import BELOW_HELP, POLICY_HELP, format_option, say
from liaison_graph.api.commands.stores import open_store, store_options
from liaison_graph.api.commands.translate import AS_OF_HELP, parse_day, policy_asked, report_head
from liaison_graph.api.verbs import contacts as reviewing
from liaison_graph.api.verbs import digest as digesting
from liaison_graph.graph.errors import BadArgument
from liaison_graph.api.verbs.names import committee_of
from liaison_graph.api.verbs.scope import WHOLE


@click.group()
def contacts():
    """联系记录：委员本人用自己的令牌记录、待组织办公室确认的联系（列出、确认或退回）。"""


@contacts.command("pending")
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@format_option("table", "json")
@store_options
def pending(committee_id, fmt, store_config):
    """列出待确认的联系（最早的在前）。"""
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = reviewing.pending(store, WHOLE, committee_id)
        head = report_head(store, fmt, committee_id)
    say(fmt, result, head, output_ledger.pending_text)


@contacts.command("confirm")
@click.argument("from_id", metavar="FROM_ID")
@click.argument("to", metavar="TO")
@click.argument("date", metavar="DATE")
@click.option("--mode", metavar="MODE", help="联系方式（谈心谈话、走访……；默认“其他”）")
@click.option("--masses", is_flag=True, help="联系界别群众的记录：TO 是群众姓名，而不是委员编号")
@click.option("--reject", is_flag=True, help="退回：不计入覆盖（记录保留）")
@store_options
def confirm(from_id, to, date, mode, masses, reject, store_config):
    """确认一条待确认的联系（此后计入有效覆盖），或用 --reject 退回。TO：联系对象的委员编号（--masses 时为群众姓名）。"""
    with open_store(store_config, write=True) as store:
        written = reviewing.review(store, WHOLE, from_id, None if masses else to, date, mode, not reject,
                                   person=to if masses else None)
    item = written["item"]
    click.echo(f"{'已退回' if reject else '已确认'}：{item['from_id']} → {item.get('to_id') or item['person']}，{item['date']}")


@click.command()
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@click.option("--since", "since", metavar="CURSOR", help="上一期摘要给出的游标（默认：一周前）")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@click.option("--policy", metavar="NAME|FILE", help=POLICY_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True,
              help="输出格式（xlsx 须同时给出 --out）")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="PATH", help="xlsx 的保存路径")
@store_options
def digest(committee_id, since, as_of, policy, fmt, out, store_config):
    """动态摘要：自上一期以来覆盖情况的变化——新增缺口及原因、逾期和即将到期的联系、即将到期的临时党支部、尚无临时党支部的活动。"""
    if fmt == "xlsx" and out is None:
        raise BadArgument("--format xlsx 须同时给出 --out 保存路径", field="out")
    asked, day = policy_asked(policy), parse_day(as_of)
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = digesting.digest(store, WHOLE, asked, day, committee_id, since)
        head = report_head(store, fmt, committee_id)
    if fmt == "xlsx":
        from liaison_graph.api.report_xlsx import write_digest_xlsx

        write_digest_xlsx(result, out)
        click.echo(f"摘要已保存：{out}")
        return
    say(fmt, result, head, output_ledger.digest_text)


@click.command("digest-ack")
@click.argument("key", metavar="KEY")
@click.option("--note", metavar="TEXT", help="备注：怎么处理的")
@click.option("--committee", "committee_id", metavar="ID", help="哪个政协确认（编号或名称；默认整个库）")
@store_options
def digest_ack(key, note, committee_id, store_config):
    """确认摘要中的一项（按其键），附备注；此后各期摘要都标出已确认。"""
    with open_store(store_config, write=True) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        done = digesting.ack(store, WHOLE, key, note, committee_id)
    click.echo(f"已确认：{done['key']}" + (f"（{note}）" if note else ""))
