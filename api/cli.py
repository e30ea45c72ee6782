"""The ``liaison`` command line.

Errors of the product reach the user as one Chinese line on stderr and exit status 1;
anything unexpected as one line and exit status 2 (``LIAISON_DEBUG=1`` logs the
traceback). Output for machines is JSON; output for people is a Chinese table.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import click
import orjson

from liaison_graph.api.output import gaps_table, kind_label, load_summary, stats_table
from liaison_graph.graph.errors import BadArgument, LiaisonError, StoreError
from liaison_graph.graph.policy import BREAKDOWNS, FLAGSHIP
from liaison_graph.graph.spreadsheet import CsvWriter
from liaison_graph.graph.store import Store
from liaison_graph.graph.flagship import RULES
from liaison_graph.loaders.validate import parse_date

log = logging.getLogger("liaison")

DEFAULT_DB = "liaison.db"


def parse_day(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(parse_date(value))
    except ValueError:
        raise BadArgument(f"--as-of：无法识别的日期「{value}」（应为 YYYY-MM-DD）", value=value) from None


STORE_OPTIONS = [
    click.option("--db", "db", metavar="PATH", help="嵌入式库文件（默认取 LIAISON_DB，否则 ./liaison.db）"),
    click.option("--neo4j", "neo4j", metavar="URI", help="改用 Neo4j 图数据库（bolt:// 或 neo4j:// 地址；默认取 LIAISON_NEO4J_URI）"),
    click.option("--neo4j-user", "neo4j_user", metavar="USER", help="Neo4j 用户名（默认取 LIAISON_NEO4J_USER，否则 neo4j）"),
    click.option("--neo4j-database", "neo4j_database", metavar="NAME", help="Neo4j 数据库名（默认取 LIAISON_NEO4J_DATABASE）"),
]
STORE_KEYS = ("db", "neo4j", "neo4j_user", "neo4j_database")


def with_store_options(func):
    for option in reversed(STORE_OPTIONS):
        func = option(func)
    return func


def store_options(func):
    """The store options, on a subcommand as well as on the group (the subcommand's win)."""

    @with_store_options
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        root = click.get_current_context().find_root().params
        kwargs["store_config"] = {key: kwargs.pop(key) or root.get(key) for key in STORE_KEYS}
        return func(*args, **kwargs)

    return wrapper


NO_ROSTER = "库中没有名单，请先 liaison load 导入名单"


def open_store(config: dict, write: bool = False) -> Store:
    """The store the options and environment name: Neo4j when a URI is given, else the
    embedded file. Environment variables are read here, at the edge, and nowhere else.

    Only a command that writes a roster (``write``: load, restore) may create the file; every
    other command opens a store that exists and holds a roster, or refuses in one line
    naming the store, so that an empty or mistyped store never reports full coverage."""
    env = os.environ
    uri = config.get("neo4j") or env.get("LIAISON_NEO4J_URI")
    if uri:
        store = open_bolt(uri, config)
    else:
        from liaison_graph.graph.embedded import EmbeddedStore

        path = config.get("db") or env.get("LIAISON_DB") or DEFAULT_DB
        log.info("opening embedded store %s", path)
        try:
            store = EmbeddedStore(path, create=write)
        except StoreError as exc:
            if exc.details.get("missing"):
                raise StoreError(f"{NO_ROSTER}（库文件 {Path(path).resolve()} 不存在）", path=str(path)) from None
            raise
    if not write:
        try:
            present = store.has_roster()
        except BaseException:
            store.close()
            raise
        if not present:
            store.close()
            raise StoreError(f"{NO_ROSTER}（库：{store_location(store)}）")
    return store


def store_location(store: Store) -> str:
    """The store as a person names it: the embedded file's full path, or the graph server's
    address (without any user name) and database."""
    path = getattr(store, "path", None)
    if path is not None:
        return str(Path(path).resolve())
    address = urlsplit(store.uri)
    shown = address._replace(netloc=address.netloc.rpartition("@")[2]).geturl()
    database = getattr(store, "database", None)
    return shown + (f"（数据库 {database}）" if database else "")


def report_head(store: Store, fmt: str, committee_id: str | None = None, below: bool = True) -> str | None:
    """The header line of a report for people (the table format): the committee it speaks
    for and the store. None for the formats for machines, which stay as they are."""
    from liaison_graph.api.output import header_line

    if fmt != "table":
        return None
    return header_line(store.committees(), committee_id, below, store_location(store))


def open_bolt(uri: str, config: dict) -> Store:
    from liaison_graph.graph.bolt import BoltStore

    env = os.environ
    log.info("opening Bolt store %s", uri)
    return BoltStore(
        uri,
        user=config.get("neo4j_user") or env.get("LIAISON_NEO4J_USER") or "neo4j",
        password=env.get("LIAISON_NEO4J_PASSWORD"),
        database=config.get("neo4j_database") or env.get("LIAISON_NEO4J_DATABASE"),
        batch_size=int(env.get("LIAISON_NEO4J_BATCH_SIZE", "5000")),
    )


PROGRESS_AFTER_S = 2.0  # a load still running after this long shows its progress
PROGRESS_STAGES = {"read": "已读取并检查 {n} 行", "checked": "已核对引用和上下级关系，待写入 {n} 项（节点和关系）",
                   "written": "已写入 {n} 项"}  # load_files' stages


class Progress:
    """A long load's progress on a terminal's stderr (the CLI makes one only when stderr is a
    terminal): once the load has run PROGRESS_AFTER_S, a line that it is under way, then a
    line per stage — rows read and checked, nodes and edges checked, written — with the
    time taken. A shorter load shows nothing."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.shown = False
        self.timer = threading.Timer(PROGRESS_AFTER_S, self._under_way)
        self.timer.daemon = True
        self.timer.start()

    def _say(self, text: str) -> None:
        click.echo(f"{text}（{time.monotonic() - self.started:.1f} 秒）", err=True)

    def _under_way(self) -> None:
        with self.lock:
            if not self.shown:
                self.shown = True
                self._say("正在导入，请稍候")

    def __call__(self, stage: str, count: int) -> None:
        with self.lock:
            if self.shown or time.monotonic() - self.started >= PROGRESS_AFTER_S:
                self.shown = True
                self._say(PROGRESS_STAGES[stage].format(n=f"{count:,}"))

    def stop(self) -> None:
        self.timer.cancel()


def emit_json(obj) -> None:
    click.echo(orjson.dumps(obj))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@with_store_options
@click.option("-v", "--verbose", count=True, help="输出运行日志（英文）到标准错误")
def cli(db, neo4j, neo4j_user, neo4j_database, verbose):
    """liaison-graph：政协党的组织和党的工作“两个全覆盖”知识图谱。

    导入委员名单，找出未被覆盖的委员。
    """
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式")
@click.option("--allow-move", "moves", is_flag=True,
              help="允许把库中已有的委员、党组织、活动移到另一个政协，或改变政协的上级（默认拒绝：编号相同不等于同一人）")
def load(files, store_config, fmt, moves):
    """导入名单文件（.xlsx / .csv / .json）。全部通过校验才写入，否则一行不写。"""
    from liaison_graph.loaders import load_files

    progress = Progress() if sys.stderr.isatty() else None
    try:
        with open_store(store_config, write=True) as store:
            report = load_files(list(files), store, moves=moves, progress=progress)
    finally:
        if progress:
            progress.stop()
    if fmt == "json":
        emit_json(
            {
                "files": report.files,
                "rows": report.rows,
                "created": report.result.created,
                "updated": report.result.updated,
                "ignored": report.ignored,
            }
        )
    else:
        click.echo(load_summary(report))


@cli.command()
@click.option("--rule", required=True, type=click.Choice(list(RULES)), help="缺口规则")
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天），YYYY-MM-DD")
@click.option("--committee", "committee_id", metavar="ID", help="只看一个政协（编号）")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True, help="输出格式")
@store_options
def gaps(rule, as_of, committee_id, fmt, store_config):
    """列出“两个全覆盖”的缺口：无党员委员联系的党外委员，或未编入党组织的党员委员。"""
    day = parse_day(as_of)
    with open_store(store_config) as store:
        items = store.gaps(rule, day, committee_id)
        head = report_head(store, fmt, committee_id, below=False)
    if fmt == "json":
        emit_json({"rule": rule, "as_of": day.isoformat(), "count": len(items), "items": items})
    elif fmt == "csv":
        writer = CsvWriter(sys.stdout, lineterminator="\n")
        sys.stdout.write("\ufeff")
        writer.writerow(["编号", "姓名", "所属政协", "界别"])
        writer.writerows([i["id"], i["name"], i["committee_id"], i["sector"]] for i in items)
    else:
        click.echo(head + "\n" + gaps_table(rule, day, items))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def stats(fmt, store_config):
    """按类别统计库中的政协、党组织、委员、界别、联系等数量。"""
    with open_store(store_config) as store:
        counts = store.stats()
        head = report_head(store, fmt)
    if fmt == "json":
        emit_json(counts)
    else:
        click.echo(head + "\n" + stats_table(counts))


@cli.command()
@click.option("--scale", type=click.Choice(["county", "city", "province", "nation"]), required=True, help="规模")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子（同一种子生成相同数据）")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="输出目录")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True, help="文件格式")
def generate(scale, seed, out, fmt):
    """生成虚构的演示名单（县、市、省或全国规模），可直接用 load 导入。"""
    from liaison_graph.loaders.generate import generate as run

    if fmt == "json" and scale in ("province", "nation"):
        raise BadArgument("--format json 只适用于 county 和 city 规模；省级和全国规模请用 csv 或 xlsx")
    out.mkdir(parents=True, exist_ok=True)
    counts = run(scale, seed, out, fmt)
    click.echo("已生成：" + "，".join(f"{k} {v} 行" for k, v in counts.items()) + f"（目录 {out}）")


@cli.command()
@click.argument("target", metavar="FILE.xlsx", type=click.Path(path_type=Path))
def template(target):
    """写出空白名单模板（.xlsx）：每张表一个工作表、中文表头、必填列标注、填写说明和下拉选项，填好后可直接用 load 导入。"""
    from liaison_graph.loaders.template import write_template

    if target.suffix.lower() != ".xlsx":
        raise BadArgument(f"模板文件名应以 .xlsx 结尾：{target}", value=str(target))
    path = write_template(target)
    click.echo(f"已写出名单模板 {path}（{template_summary()}）")


def template_summary() -> str:
    from liaison_graph.graph.model import model

    return "工作表：说明、" + "、".join(t.label for t in model().tables.values())


@cli.command()
@click.option("--policy", metavar="NAME|FILE", help="政策：内置名称（两个全覆盖 三联 四联 四联系 杭州 结对子）或 .yaml 文件；默认两个全覆盖")
@click.option("--by", type=click.Choice(list(BREAKDOWNS)), help="分组统计")
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天），YYYY-MM-DD")
@click.option("--committee", "committee_id", metavar="ID", help="只看一个政协及其下级政协（编号）")
@click.option("--window", "window", type=click.IntRange(0, 3650), help="有效联系窗口天数（默认取政策设定，一般 180）")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path), metavar="PATH", help="另存为可打印归档的 Excel 报告")
@click.option("--counts", is_flag=True,
              help="只要两个全覆盖按政协的覆盖数字（名义覆盖）：由库中维护的索引直接算出，不建图，全国规模也很快")
@store_options
def coverage(policy, by, as_of, committee_id, window, fmt, xlsx, counts, store_config):
    """按联系制度（政策）统计覆盖率：名义覆盖与有效覆盖、未覆盖名单、分组、联系数量、沉寂联系。"""
    from liaison_graph.api.output import counts_text, coverage_text
    from liaison_graph.graph.coverage import flagship_counts
    from liaison_graph.graph.reports import store_report
    from liaison_graph.graph.policy import find_policy

    chosen = find_policy(policy)
    day = parse_day(as_of)
    if counts:
        if chosen.name != FLAGSHIP or by not in (None, "committee") or window is not None or xlsx:
            raise BadArgument("--counts 只统计两个全覆盖按政协的名义覆盖，不能与其他政策、--by（committee 以外）、--window 或 --xlsx 同用",
                              field="counts")
        with open_store(store_config) as store:
            result = flagship_counts(store, day, committee_id)
            head = report_head(store, fmt, committee_id)
        if fmt == "json":
            emit_json(result)
        else:
            click.echo(head + "\n" + counts_text(result))
        return
    with open_store(store_config) as store:
        result = store_report(store, day, chosen, committee_id, by, window)
        head = report_head(store, fmt, committee_id)
    if xlsx:
        from liaison_graph.api.report_xlsx import write_coverage_xlsx

        write_coverage_xlsx(result, xlsx)
    if fmt == "json":
        emit_json(result)
    else:
        click.echo(head + "\n" + coverage_text(result))
        if xlsx:
            click.echo(f"\n报告已保存：{xlsx}")


@cli.command()
def policies():
    """列出内置的联系制度（政策）及其规则。"""
    from liaison_graph.graph.policy import builtin

    for p in builtin().values():
        names = "、".join(dict.fromkeys([p.label, *p.aliases]))
        click.echo(f"{p.name}（{names}）" + (f"：{p.source}" if p.source else ""))
        for r in p.rules:
            click.echo(f"  - {r.id}：{r.label}")


@cli.command()
@click.argument("node_id", metavar="ID")
@click.option("--hops", type=click.IntRange(1, 10), default=2, show_default=True, help="最多几步联系")
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天），YYYY-MM-DD")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def reach(node_id, hops, as_of, fmt, store_config):
    """从一名委员或一个党组织出发，K 步联系之内党的工作能到达哪些委员、界别和组织。"""
    from liaison_graph.api.output import reach_text
    from liaison_graph.graph.reach import reach as run

    day = parse_day(as_of)
    with open_store(store_config) as store:
        view, head = _member_view(store, node_id, day, fmt)
        result = {"from": node_id, "as_of": day.isoformat(), "hops": hops, "items": run(view, node_id, hops)}
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + reach_text(result))


def _member_view(store, node_id: str, day: dt.date, fmt: str):
    """The view of the committee a member or organisation belongs to (and those below), and
    the header line of a report on it."""
    from liaison_graph.graph.view import home_committee, open_view

    home = home_committee(store, node_id)
    return open_view(store, day, home), report_head(store, fmt, home)


@cli.command()
@click.argument("member_id", metavar="MEMBER_ID")
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天），YYYY-MM-DD")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def why(member_id, as_of, fmt, store_config):
    """一名委员为什么被覆盖（联系链、所在党组织），或为什么没有。"""
    from liaison_graph.api.output import why_text
    from liaison_graph.graph.reach import why as run

    day = parse_day(as_of)
    with open_store(store_config) as store:
        view, head = _member_view(store, member_id, day, fmt)
        result = run(view, member_id)
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + why_text(result))


@cli.command()
@click.option("--from", "day_from", metavar="DATE", required=True, help="起始日")
@click.option("--to", "day_to", metavar="DATE", help="截止日（默认今天）")
@click.option("--committee", "committee_id", metavar="ID", help="只看一个政协及其下级政协（编号）")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def diff(day_from, day_to, committee_id, fmt, store_config):
    """两天之间哪些委员新增或消除了覆盖缺口，以及原因（联系结束、任期结束、临时党支部撤销、新任委员……）。"""
    from liaison_graph.api.output import diff_text
    from liaison_graph.graph.reach import REASONS, view_gaps
    from liaison_graph.graph.reach import diff as run
    from liaison_graph.graph.view import View, scope_of

    d1, d2 = parse_day(day_from), parse_day(day_to)
    with open_store(store_config) as store:
        scope, committees = scope_of(store, committee_id)
        G = store.subgraph(scope)
        head = report_head(store, fmt, committee_id)
    before, after = View(G, d1.isoformat(), scope, committees), View(G, d2.isoformat(), scope, committees)
    result = {"from": d1.isoformat(), "to": d2.isoformat(), "items": run(before, after, view_gaps)}
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + diff_text(result, REASONS))


@cli.command()
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天），YYYY-MM-DD")
@click.option("--committee", "committee_id", metavar="ID", help="只看一个政协及其下级政协（编号）")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="列出前几名")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def network(as_of, committee_id, top, fmt, store_config):
    """联系网络诊断：每人联系数、关键联络人（中介中心度）、孤立委员、界别 × 界别联系矩阵。"""
    from liaison_graph.api.output import network_text
    from liaison_graph.graph.reach import network as run
    from liaison_graph.graph.view import open_view

    day = parse_day(as_of)
    with open_store(store_config) as store:
        result = run(open_view(store, day, committee_id), top)
        head = report_head(store, fmt, committee_id)
    emit_json(result) if fmt == "json" else click.echo(head + "\n" + network_text(result))


@cli.command()
@click.option("--policy", metavar="NAME|FILE", help="政策：内置名称或 .yaml 文件；默认两个全覆盖")
@click.option("--as-of", "as_of", metavar="DATE", help="统计日（默认今天）；采纳时联系自该日起")
@click.option("--committee", "committee_id", metavar="ID", help="只看一个政协及其下级政协（编号）")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True, help="输出格式")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="PATH", help="--format xlsx 时的文件（默认 推荐结对-日期.xlsx）")
@click.option("--accept", is_flag=True, help="采纳：把推荐一次写入库中（一个事务，记入审计）")
@store_options
def recommend(policy, as_of, committee_id, fmt, out, accept, store_config):
    """推荐结对：为未覆盖的委员（界别、专委会）推荐联系人，遵守联系数量上限、亲和优先；并建议临时党支部。"""
    from liaison_graph.api.output import recommend_text
    from liaison_graph.api.recommending import accept as write
    from liaison_graph.api.report_xlsx import write_recommend_xlsx
    from liaison_graph.graph.policy import find_policy
    from liaison_graph.graph.recommend import run
    from liaison_graph.graph.view import open_view

    chosen = find_policy(policy)
    day = parse_day(as_of)
    with open_store(store_config) as store:
        view = open_view(store, day, committee_id)
        result = run(view, chosen)
        head = report_head(store, fmt, committee_id)
        if accept:
            written = write(store, view, result, chosen, "cli")
            result["accepted"] = {"cursor": written.cursor if written else None,
                                  "liaisons": sum(1 for i in result["items"] if i.get("kind") == "liaison")}
    if fmt == "json":
        emit_json(result)
    elif fmt == "xlsx":
        path = write_recommend_xlsx(result, out or Path(f"推荐结对-{day.isoformat()}.xlsx"))
        click.echo(f"已写入 {path}")
    else:
        click.echo(head + "\n" + recommend_text(result))
    if accept and fmt != "json":
        click.echo("已采纳并写入库中。" if result["items"] or result["temporary_branches"] else "没有需要写入的推荐。")


def _file_store(store: Store, neo4j_tool: str):
    """Backups are of the embedded store's file; a Neo4j server has its own tools."""
    from liaison_graph.graph.embedded import EmbeddedStore

    if not isinstance(store, EmbeddedStore):
        raise BadArgument(f"Neo4j 图数据库请用其自带的工具（neo4j-admin database {neo4j_tool}）")
    return store


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
@store_options
def backup(target, store_config):
    """备份嵌入式库到一个新文件（服务运行时也可以，备份是同一时刻的完整副本）。"""
    with open_store(store_config) as store:
        path = _file_store(store, "dump").backup(target)
    click.echo(f"已备份到 {path}")


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@store_options
def restore(source, store_config):
    """用备份文件替换嵌入式库的名单数据（一次完成，服务运行时也可以）。

    令牌、审计记录和变更流沿用本库，并记下这次恢复；旧版本的备份先升级。

    结构与本程序不符或政协上下级成环的备份被拒绝，本库不变。"""
    with open_store(store_config, write=True) as store:
        _file_store(store, "load").restore(source)
        counts = store.stats()
    click.echo(f"已从 {source} 恢复：委员 {counts['members']} 名，联系 {counts['liaisons']} 条")


@cli.command()
@click.option("--to-neo4j", "to_neo4j", metavar="URI", required=True, help="目标 Neo4j 地址（bolt:// 或 neo4j://）")
@click.option("--replace", is_flag=True, help="先清空目标库再复制（否则按编号合并）")
@click.option("--allow-move", "moves", is_flag=True, help="合并时允许把目标库中已有的委员、党组织、活动移到另一个政协（默认拒绝）")
@store_options
def sync(to_neo4j, replace, moves, store_config):
    """把嵌入式库的全部内容复制到 Neo4j 图数据库（一个事务，全部成功或全部不写）。"""
    from liaison_graph.graph.sync import copy_store

    store_config = {**store_config, "neo4j": None}
    with open_store(store_config) as source, open_bolt(to_neo4j, store_config) as target:
        counts = copy_store(source, target, replace=replace, moves=moves)
    click.echo("已同步到 " + to_neo4j + "：" + "，".join(f"{kind_label(k)} {v}" for k, v in counts.items()))


@cli.command()
@click.option("--demo", is_flag=True, help="演示：在临时库中导入示例名单，并打印一个管理员令牌")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（默认只监听本机）")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口")
@click.option("--max-upload-mb", type=click.IntRange(1, 1024), default=20, show_default=True, help="上传文件合计上限（MB）")
@click.option("--max-json-kb", type=click.IntRange(1, 102400), default=1024, show_default=True,
              help="其他请求内容（JSON）的上限（KB）")
@store_options
def serve(demo, host, port, max_upload_mb, max_json_kb, store_config):
    """启动 HTTP 服务（/api/v1 接口、/docs 接口文档）。每个请求须带访问令牌。"""
    import tempfile

    import uvicorn

    from liaison_graph.api.app import serving_app
    from liaison_graph.api.auth import create_token
    from liaison_graph.api.service import Service

    with tempfile.TemporaryDirectory() as tmp:
        if demo:
            from liaison_graph.loaders import load_files
            from liaison_graph.loaders.sample import SAMPLE, write_sample

            store = open_store({**store_config, "neo4j": None, "db": str(Path(tmp) / "demo.db")}, write=True)
            load_files([SAMPLE if SAMPLE.exists() else write_sample(Path(tmp) / SAMPLE.name)], store)
            root = sorted(c for c, p in store.committees().items() if not p.get("parent_id"))[0]
            _, token = create_token(store, root, "admin", "演示")
        else:
            store = open_store(store_config)
        service = Service(store, max_upload_bytes=max_upload_mb * 1024 * 1024, max_json_bytes=max_json_kb * 1024,
                          demo=demo)
        if demo:
            click.echo(f"演示库已就绪（示例名单，政协 {root}）。管理员令牌：")
            click.echo(token)
        log.info("serving on %s:%s", host, port)
        try:
            uvicorn.run(serving_app(service), host=host, port=port, log_level="warning")
        finally:
            store.close()


@cli.group()
def token():
    """访问令牌：签发、列出、吊销（令牌只显示一次，库中只存其摘要）。"""


@token.command("create")
@click.option("--committee", "committee_id", required=True, metavar="ID", help="令牌所属政协（可见该政协及其下级政协）")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), default="viewer", show_default=True,
              help="角色：只读、编辑、管理员")
@click.option("--name", metavar="TEXT", help="备注名（谁在用这个令牌）")
@click.option("--expires-days", type=click.IntRange(1, 3650), metavar="N", help="N 天后过期（默认不过期）")
@store_options
def token_create(committee_id, role, name, expires_days, store_config):
    """签发令牌；最后一行单独打印令牌本身。"""
    from liaison_graph.api.auth import create_token

    with open_store(store_config) as store:
        record, secret = create_token(store, committee_id, role, name, expires_days)  # and its audit record
    click.echo(f"已签发令牌 {record.id}（政协 {committee_id}，角色 {role}" +
               (f"，{record.expires_at} 过期" if record.expires_at else "") + "）。请妥善保存，此后不再显示：")
    click.echo(secret)


@token.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def token_list(fmt, store_config):
    """列出令牌（不含令牌本身）。"""
    from liaison_graph.api.output import table

    with open_store(store_config) as store:
        records = store.tokens()
    rows = [{"id": t.id, "committee_id": t.committee_id, "role": t.role, "name": t.name, "created_at": t.created_at,
             "expires_at": t.expires_at, "revoked_at": t.revoked_at} for t in records]
    if fmt == "json":
        emit_json(rows)
    else:
        click.echo(table(["编号", "政协", "角色", "备注名", "签发时间", "过期时间", "吊销时间"],
                         [[r[k] or "" for k in r] for r in rows]))


@token.command("revoke")
@click.argument("token_id", metavar="TOKEN_ID")
@store_options
def token_revoke(token_id, store_config):
    """吊销令牌（立即失效）。"""
    from liaison_graph.api.auth import revoke_token

    with open_store(store_config) as store:
        revoke_token(store, token_id)  # and its audit record
    click.echo(f"已吊销令牌 {token_id}")


def main(argv=None) -> int:
    try:
        cli.main(args=argv, prog_name="liaison", standalone_mode=False)
    except LiaisonError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("已中止", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("已中断", err=True)
        return 130
    except Exception as exc:  # the edge: nothing unexpected reaches the user as a traceback
        log.debug("unexpected error", exc_info=True)
        if os.environ.get("LIAISON_DEBUG"):
            raise
        click.echo(f"内部错误：{type(exc).__name__}: {exc}（设置 LIAISON_DEBUG=1 可查看详情）", err=True)
        return 2
    return 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
