"""``liaison term``: 换届 as one operation — close a committee's term (``term close``), open
the next with its roster (``term open``), and list the closings with the coverage each
kept (``term list``); ``--dry-run`` shows what would change and writes nothing."""

from __future__ import annotations

from pathlib import Path

import click

from liaison_graph.api.commands.questions import POLICY_HELP, format_option
from liaison_graph.api.commands.stores import open_store, store_options
from liaison_graph.api.commands.translate import emit_json, parse_day, policy_asked
from liaison_graph.api.verbs import terms as verbs
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.model import model

LABELS = {**{kind: node.label for kind, node in model().nodes.items()},
          **{kind: edge.label for kind, edge in model().edges.items()}}
DRY = click.option("--dry-run", "dry_run", is_flag=True, help="只显示将要发生的变化，不写入")


@click.group()
def term():
    """换届：结束一个政协本届仍在进行的任职、联系、任期性党组织（并保存届末覆盖情况），导入新一届名单。"""


def closing_text(result: dict) -> str:
    verb = "将结束" if result["dry_run"] else "已结束"
    ended = "，".join(f"{LABELS.get(k, k)} {n} 项" for k, n in sorted(result["ended"].items()))
    return (f"{result['committee_name']}{result.get('term') or ''}于 {result['date']} 换届：{verb}{ended}\n"
            + "届末覆盖：" + "；".join(f"{h['label']} {h['covered']}/{h['total']}" for h in result["headline"].values()))


def opening_text(result: dict) -> str:
    lines = [f"{result['committee_name']}{result['term']}（上届于 {result['closed']} 结束）"
             f"{'将导入' if result['dry_run'] else '已导入'}：连任 {len(result['stayed'])} 人，新任 {len(result['came'])} 人，"
             f"离任 {len(result['left'])} 人"]
    for key, title in (("came", "新任"), ("left", "离任")):
        if result[key]:
            lines.append(f"{title}：" + "、".join(f"{r['name']}（{r['id']}）" for r in result[key]))
    lines += [f"可能是连任（请确认）：{m['name']}，liaison persons link {' '.join(r['id'] for r in m['records'])}"
              for m in result["proposed"]]
    return "\n".join(lines)


@term.command("close")
@click.option("--committee", "committee_id", metavar="ID", required=True, help="换届的政协（编号或名称；不含下级政协）")
@click.option("--date", "date", metavar="DATE", required=True, help="届末日期：此后仍在进行的本届记录都以该日结束")
@click.option("--policy", metavar="NAME|FILE", help=POLICY_HELP + "；届末覆盖情况按其计算")
@DRY
@format_option("table", "json")
@store_options
def close(committee_id, date, policy, dry_run, fmt, store_config):
    """结束本届：一次写入（记入审计），并保存届末的覆盖情况，供 diff 和 term list 引用。"""
    with open_store(store_config, write=not dry_run) as store:
        result = verbs.close(store, WHOLE, committee_id, parse_day(date), policy_asked(policy), dry_run)
    emit_json(result) if fmt == "json" else click.echo(closing_text(result))


@term.command("open")
@click.option("--committee", "committee_id", metavar="ID", required=True, help="新一届的政协（编号或名称）")
@click.option("--term", "term_name", metavar="TERM", required=True, help="新一届的届次，如 第十一届")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DRY
@format_option("table", "json")
@store_options
def open_(committee_id, term_name, files, dry_run, fmt, store_config):
    """导入新一届名单：连任、新任、离任的人员（按人员编号；可能是连任而未关联的记录列出待确认）。"""
    with open_store(store_config, write=not dry_run) as store:
        result = verbs.open_term(store, WHOLE, committee_id, term_name, list(files), dry_run)
    emit_json(result) if fmt == "json" else click.echo(opening_text(result))


@term.command("list")
@click.option("--committee", "committee_id", metavar="ID", help="一个政协及其下级政协（编号或名称）")
@format_option("table", "json")
@store_options
def list_(committee_id, fmt, store_config):
    """历次换届：政协、届末日期、届次与届末覆盖情况。"""
    with open_store(store_config) as store:
        result = verbs.closings(store, WHOLE, committee_id)
    if fmt == "json":
        return emit_json(result)
    for c in result:
        click.echo(f"{c['committee_name']} {c['date']}{(' ' + c['term']) if c.get('term') else ''}：" + "；".join(
            f"{h['label']} {h['covered']}/{h['total']}" for h in c["headline"].values()))
    if not result:
        click.echo("没有换届记录")
