"""The commands that ask: gaps, stats, coverage, policies, reach, why, diff, network and
recommend. Without ``--committee`` a question is about the whole store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from liaison_graph.api import output, output_ledger
from liaison_graph.api.commands.stores import open_store, store_options
from liaison_graph.api.commands.translate import AS_OF_HELP, emit_json, parse_day, policy_asked, report_head
from liaison_graph.api.verbs import questions, recommend as recommending
from liaison_graph.api.verbs.policies import choose, policies as builtin_policies
from liaison_graph.api.verbs.names import committee_of, member_of, node_of
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.flagship import RULES, rule_named
from liaison_graph.graph.model import model
from liaison_graph.graph.policy import BREAKDOWNS, FLAGSHIP
from liaison_graph.graph.view import TREE

SPAN = model().enums["span"]  # which committees a report counts (the page's 本级 / 含下级)

POLICY_HELP = f"政策：内置名称（{' '.join(p['label'] for p in builtin_policies())}）或 .yaml 文件；默认两个全覆盖"
BELOW_HELP = "只看一个政协及其下级政协（编号或名称）"


def format_option(*choices: str):
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True,
                        help="输出格式")


def say(fmt: str, result, head: str | None, text) -> None:
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + text(result))


@click.command()
@click.option("--rule", required=True, metavar="RULE",
              help="缺口规则：" + "；".join(f"{rule}（{title}）" for rule, title in sorted(RULES.items())) + "，也可用中文名称")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@click.option("--committee", "committee_id", metavar="ID", help="只看一个政协（编号或名称）")
@format_option("table", "json", "csv")
@store_options
def gaps(rule, as_of, committee_id, fmt, store_config):
    """列出“两个全覆盖”的缺口：无党员委员联系的党外委员，或未编入党组织的党员委员。"""
    rule, day = rule_named(rule), parse_day(as_of)
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = questions.gaps(store, WHOLE, rule, day, committee_id)
        head = report_head(store, fmt, committee_id, below=False)
        committees = store.committees()
    if fmt == "csv":
        output.gaps_csv(result["items"], sys.stdout, committees)
    else:
        say(fmt, result, head, lambda r: output.gaps_table(rule, day, r["items"], committees))


@click.command()
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@format_option("table", "json")
@store_options
def stats(committee_id, fmt, store_config):
    """按类别统计库中的政协、党组织、委员、界别、联系等数量。"""
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        counts = questions.stats(store, WHOLE, committee_id)
        head = report_head(store, fmt, committee_id)
    say(fmt, counts, head, output.stats_table)


@click.command()
@click.option("--policy", metavar="NAME|FILE", help=POLICY_HELP)
@click.option("--by", type=click.Choice(list(BREAKDOWNS)), help="分组统计")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@click.option("--window", "window", type=click.IntRange(0, 3650), help="有效联系窗口天数（默认取政策设定，一般 180）")
@click.option("--span", "span", type=click.Choice([*SPAN.labels, *SPAN.labels.values()]), default=TREE,
              help="统计范围：own/本级（仅该政协）或 tree/含下级（该政协及其下级政协，默认）")
@format_option("table", "json")
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path), metavar="PATH", help="另存为可打印归档的 Excel 报告")
@click.option("--counts", is_flag=True,
              help="只要两个全覆盖按政协的覆盖数字（名义覆盖）：由库中维护的索引直接算出，不建图，全国规模也很快")
@store_options
def coverage(policy, by, as_of, committee_id, window, span, fmt, xlsx, counts, store_config):
    """按联系制度（政策）统计覆盖率：名义覆盖与有效覆盖、未覆盖名单、分组、联系数量、沉寂联系。"""
    asked = policy_asked(policy)
    day = parse_day(as_of)
    if counts:
        if choose(asked).name != FLAGSHIP or by not in (None, "committee") or window is not None or xlsx:
            raise BadArgument("--counts 只统计两个全覆盖按政协的名义覆盖，不能与其他政策、--by（committee 以外）、--window 或 --xlsx 同用",
                              field="counts")
        with open_store(store_config) as store:
            committee_id = committee_of(store, WHOLE, committee_id)
            result = questions.coverage_counts(store, WHOLE, day, committee_id)
            head = report_head(store, fmt, committee_id)
        say(fmt, result, head, output.counts_text)
        return
    span = SPAN.parse(span)
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = questions.coverage(store, WHOLE, asked, day, committee_id, by, window, span)
        head = report_head(store, fmt, committee_id, below=span == TREE)
    if xlsx:
        from liaison_graph.api.report_xlsx import write_coverage_xlsx

        write_coverage_xlsx(result, xlsx)
    say(fmt, result, head, output.coverage_text)
    if xlsx and fmt != "json":
        click.echo(f"\n报告已保存：{xlsx}")


@click.command()
@click.option("--policy", metavar="NAME|FILE", help=POLICY_HELP)
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@click.option("--within", "within", type=click.IntRange(0, 3650), metavar="DAYS",
              help="只列出此天数内到期的联系（已逾期的也列出）；默认全部列出")
@click.option("--window", "window", type=click.IntRange(0, 3650), help="有效联系窗口天数（默认取政策设定，一般 180）")
@click.option("--span", "span", type=click.Choice([*SPAN.labels, *SPAN.labels.values()]), default=TREE,
              help="范围：own/本级（仅该政协）或 tree/含下级（该政协及其下级政协，默认）")
@format_option("table", "json")
@store_options
def due(policy, as_of, committee_id, within, window, span, fmt, store_config):
    """待联系：每条联系最近一次合乎要求的联系、下次应在何日前联系、逾期多少天，按联系人列出（逾期多的在前）。"""
    asked, day = policy_asked(policy), parse_day(as_of)
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = questions.due(store, WHOLE, asked, day, committee_id, within, window, SPAN.parse(span))
        head = report_head(store, fmt, committee_id, below=result["span"] == TREE)
    say(fmt, result, head, output_ledger.due_text)


@click.command()
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP + "；统计当年 1 月 1 日至该日开始的活动")
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@click.option("--span", "span", type=click.Choice([*SPAN.labels, *SPAN.labels.values()]), default=TREE,
              help="范围：own/本级（仅该政协）或 tree/含下级（默认）")
@click.option("--policy", metavar="NAME|FILE", help="政策（其 temporary_branch_kinds：哪些活动应设临时党支部）；默认两个全覆盖")
@format_option("table", "json")
@store_options
def attendance(as_of, committee_id, span, policy, fmt, store_config):
    """活动与出勤：当年的履职活动及出席、请假、缺席（中共党员、党外委员、常委分列），按政协和委员活动组汇总，以及当年没有参加任何活动的委员。"""
    day = parse_day(as_of)
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = questions.attendance(store, WHOLE, day, committee_id, SPAN.parse(span), policy_asked(policy))
        head = report_head(store, fmt, committee_id, below=result["span"] == TREE)
    say(fmt, result, head, output_ledger.attendance_text)


@click.command()
@format_option("table", "json")
def policies(fmt):
    """列出内置的联系制度（政策）及其规则。"""
    result = builtin_policies()
    if fmt == "json":
        emit_json(result)
    else:
        click.echo(output.policies_text(result))


@click.command()
@click.argument("node_id", metavar="ID")
@click.option("--hops", type=click.IntRange(1, 10), default=2, show_default=True, help="最多几步联系")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@format_option("table", "json")
@store_options
def reach(node_id, hops, as_of, fmt, store_config):
    """从一名委员或一个党组织出发，K 步联系之内党的工作能到达哪些委员、界别和组织。

    ID 是编号（不分大小写）或姓名、党组织名称；重名时列出候选，请改用编号。"""
    _about_one(store_config, fmt, node_id, node_of,
               lambda store, node, day: questions.reach(store, WHOLE, node, hops, day), as_of, output.reach_text)


def _about_one(store_config, fmt: str, text_given: str, resolve, ask, as_of, text) -> None:
    """A question about one member or organisation (named by id or by name), headed by its
    committee (and those below)."""
    day = parse_day(as_of)
    with open_store(store_config) as store:
        node_id = resolve(store, WHOLE, text_given)
        result = ask(store, node_id, day)
        head = _home_head(store, node_id, fmt)
    say(fmt, result, head, text)


def _home_head(store, node_id: str, fmt: str) -> str | None:
    """The header line of a report on a member or organisation: its committee (and those below)."""
    from liaison_graph.graph.view import home_committee

    return report_head(store, fmt, home_committee(store, node_id)) if fmt == "table" else None


@click.command()
@click.argument("member_id", metavar="MEMBER_ID")
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@format_option("table", "json")
@store_options
def why(member_id, as_of, fmt, store_config):
    """一名委员为什么被覆盖（联系链、所在党组织），或为什么没有。

    MEMBER_ID 是委员编号（不分大小写）或姓名；重名时列出候选，请改用编号。"""
    _about_one(store_config, fmt, member_id, member_of,
               lambda store, member, day: questions.why(store, WHOLE, member, day), as_of, output.why_text)


@click.command()
@click.option("--from", "day_from", metavar="DATE", required=True, help="起始日")
@click.option("--to", "day_to", metavar="DATE", help="截止日（默认今天）")
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@format_option("table", "json")
@store_options
def diff(day_from, day_to, committee_id, fmt, store_config):
    """两天之间哪些委员新增或消除了覆盖缺口，以及原因（联系结束、任期结束、临时党支部撤销、新任委员……）。"""
    d1, d2 = parse_day(day_from, "--from"), parse_day(day_to, "--to")
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = questions.diff(store, WHOLE, d1, d2, committee_id)
        head = report_head(store, fmt, committee_id)
        committees = store.committees()
    say(fmt, result, head, lambda r: output.diff_text(r, committees))


@click.command()
@click.option("--as-of", "as_of", metavar="DATE", help=AS_OF_HELP)
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="列出前几名")
@format_option("table", "json")
@store_options
def network(as_of, committee_id, top, fmt, store_config):
    """联系网络诊断：每人联系数、关键联络人（中介中心度）、孤立委员、界别 × 界别联系矩阵。"""
    day = parse_day(as_of)
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        result = questions.network(store, WHOLE, day, committee_id, top)
        head = report_head(store, fmt, committee_id)
    say(fmt, result, head, output.network_text)


@click.command()
@click.option("--policy", metavar="NAME|FILE", help=POLICY_HELP)
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天）；采纳时联系自该日起")
@click.option("--committee", "committee_id", metavar="ID", help=BELOW_HELP)
@format_option("table", "json", "xlsx")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="PATH", help="--format xlsx 时的文件（默认 推荐结对-日期.xlsx）")
@click.option("--accept", is_flag=True, help="采纳：把推荐一次写入库中（一个事务，记入审计）")
@store_options
def recommend(policy, as_of, committee_id, fmt, out, accept, store_config):
    """推荐结对：为未覆盖的委员（界别、专委会）推荐联系人，遵守联系数量上限、亲和优先；并建议临时党支部。"""
    from liaison_graph.api.report_xlsx import write_recommend_xlsx

    asked, day = policy_asked(policy), parse_day(as_of)
    with open_store(store_config) as store:
        committee_id = committee_of(store, WHOLE, committee_id)
        if accept:
            done = recommending.accept(store, WHOLE, asked, day, committee_id)
            result = done.recommendation  # the names a printed report needs stay with it
            result["accepted"] = {"cursor": done.cursor, "liaisons": done.liaisons}
        else:
            result = recommending.recommend(store, WHOLE, asked, day, committee_id)
        head = report_head(store, fmt, committee_id)
    if fmt == "xlsx":
        path = write_recommend_xlsx(result, out or Path(f"推荐结对-{day.isoformat()}.xlsx"))
        click.echo(f"已写入 {path}")
    else:
        say(fmt, result, head, output.recommend_text)
    if accept and fmt != "json":
        click.echo("已采纳并写入库中。" if done.wrote else "没有需要写入的推荐。")
