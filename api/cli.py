"""The ``liaison`` command line.

Errors of the product reach the user as one Chinese line on stderr and exit status 1;
anything unexpected as one line and exit status 2 (``LIAISON_DEBUG=1`` logs the
traceback). Output for machines is JSON; output for people is a Chinese table.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import logging
import os
import sys
from pathlib import Path

import click

from api.output import gaps_table, kind_label, load_summary, stats_table
from graph.errors import BadArgument, LiaisonError
from graph.store import RULES, Store
from loaders.validate import parse_date

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


def open_store(config: dict) -> Store:
    """The store the options and environment name: Neo4j when a URI is given, else the
    embedded file. Environment variables are read here, at the edge, and nowhere else."""
    env = os.environ
    uri = config.get("neo4j") or env.get("LIAISON_NEO4J_URI")
    if uri:
        return open_bolt(uri, config)
    from graph.embedded import EmbeddedStore

    path = config.get("db") or env.get("LIAISON_DB") or DEFAULT_DB
    log.info("opening embedded store %s", path)
    return EmbeddedStore(path)


def open_bolt(uri: str, config: dict) -> Store:
    from graph.bolt import BoltStore

    env = os.environ
    log.info("opening Bolt store %s", uri)
    return BoltStore(
        uri,
        user=config.get("neo4j_user") or env.get("LIAISON_NEO4J_USER") or "neo4j",
        password=env.get("LIAISON_NEO4J_PASSWORD"),
        database=config.get("neo4j_database") or env.get("LIAISON_NEO4J_DATABASE"),
        batch_size=int(env.get("LIAISON_NEO4J_BATCH_SIZE", "5000")),
    )


def emit_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=None, separators=(",", ":")))


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
def load(files, store_config, fmt):
    """导入名单文件（.xlsx / .csv / .json）。全部通过校验才写入，否则一行不写。"""
    from loaders import load_files

    with open_store(store_config) as store:
        report = load_files(list(files), store)
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
    if fmt == "json":
        emit_json({"rule": rule, "as_of": day.isoformat(), "count": len(items), "items": items})
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        sys.stdout.write("\ufeff")
        writer.writerow(["编号", "姓名", "所属政协", "界别"])
        writer.writerows([i["id"], i["name"], i["committee_id"], i["sector"]] for i in items)
    else:
        click.echo(gaps_table(rule, day, items))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def stats(fmt, store_config):
    """按类别统计库中的政协、党组织、委员、界别、联系等数量。"""
    with open_store(store_config) as store:
        counts = store.stats()
    if fmt == "json":
        emit_json(counts)
    else:
        click.echo(stats_table(counts))


@cli.command()
@click.option("--scale", type=click.Choice(["county", "city", "province", "nation"]), required=True, help="规模")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子（同一种子生成相同数据）")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="输出目录")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True, help="文件格式")
def generate(scale, seed, out, fmt):
    """生成虚构的演示名单（县、市、省或全国规模），可直接用 load 导入。"""
    from loaders.generate import generate as run

    if fmt != "csv" and scale in ("province", "nation"):
        raise BadArgument(f"--format {fmt} 只适用于 county 和 city 规模；省级和全国规模请用 csv")
    out.mkdir(parents=True, exist_ok=True)
    counts = run(scale, seed, out, fmt)
    click.echo("已生成：" + "，".join(f"{k} {v} 行" for k, v in counts.items()) + f"（目录 {out}）")


@cli.command()
@click.option("--to-neo4j", "to_neo4j", metavar="URI", required=True, help="目标 Neo4j 地址（bolt:// 或 neo4j://）")
@click.option("--replace", is_flag=True, help="先清空目标库再复制（否则按编号合并）")
@store_options
def sync(to_neo4j, replace, store_config):
    """把嵌入式库的全部内容复制到 Neo4j 图数据库（一个事务，全部成功或全部不写）。"""
    from graph.sync import copy_store

    store_config = {**store_config, "neo4j": None}
    with open_store(store_config) as source, open_bolt(to_neo4j, store_config) as target:
        counts = copy_store(source, target, replace=replace)
    click.echo("已同步到 " + to_neo4j + "：" + "，".join(f"{kind_label(k)} {v}" for k, v in counts.items()))


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
