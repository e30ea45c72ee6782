"""``liaison dossier``: a member's file (履职档案) for a year or a term, as text, JSON or a
printed page; with ``--committee`` instead of a member, every current member's of that
committee, as one workbook (one sheet a member)."""

from __future__ import annotations

from pathlib import Path

import click

from liaison_graph.api import output_dossier
from liaison_graph.api.commands.questions import POLICY_HELP, format_option
from liaison_graph.api.commands.stores import open_store, store_options
from liaison_graph.api.commands.translate import AS_OF_HELP, emit_json, parse_day, policy_asked, report_head
from liaison_graph.api.verbs import dossier as verbs
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import BadArgument


@click.command()
@click.argument("member", required=False)
@click.option("--committee", "committee_id", metavar="ID", help="一个政协（编号或名称）的全体在任委员，每人一页（不含下级政协）")
@click.option("--year", type=int, metavar="YEAR", help="年度（默认截至日所在的年度，截至该日）")
@click.option("--term", is_flag=True, help="按本届任期（任职开始至结束或截至日）")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP + "；档案截至该日")
@click.option("--policy", metavar="NAME|FILE", help=POLICY_HELP + "；联系是否合规、缺口按其规则")
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path), metavar="PATH", help="另存为可打印归档的 Excel（每人一页）")
@format_option("table", "json")
@store_options
def dossier(member, committee_id, year, term, as_of, policy, xlsx, fmt, store_config):
    """履职档案：一名委员一个年度或本届的所在组织、联系与被联系、联系记录（按方式）、联系界别群众、参加活动与出勤、覆盖缺口的时段。"""
    if (member is None) == (committee_id is None):
        raise BadArgument("请给出一名委员（编号或姓名），或用 --committee 给出一个政协，二者选一")
    day, asked = parse_day(as_of), policy_asked(policy)
    with open_store(store_config) as store:
        if member is not None:
            files = [verbs.dossier(store, WHOLE, member, asked, day, term, year)]
        else:
            files = verbs.dossiers(store, WHOLE, committee_id, asked, day, term, year)
        unit = (store.committees().get(files[0].root) or {}).get("name", "") if files else ""
        head = report_head(store, fmt, files[0].root if files else None, below=False)
    if xlsx:
        from liaison_graph.api.dossier_xlsx import write_dossiers_xlsx

        write_dossiers_xlsx(files, unit, xlsx)
    if fmt == "json":
        emit_json(files[0] if member is not None else files)
    else:
        click.echo(head + "\n" + "\n\n".join(map(output_dossier.dossier_text, files)) if files else "该政协截至当日没有在任委员")
        if xlsx:
            click.echo(f"\n履职档案已保存：{xlsx}")
