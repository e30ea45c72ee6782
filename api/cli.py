"""The ``liaison`` command line: the group, ``load``, and the commands of ``api/commands/``.

Every failure reaches the user as one Chinese line on stderr, never a traceback, with the
exit status of its kind (``EXIT``, the README's table, decided here and nowhere else):
1 what was typed or given is wrong (usage errors, values, files, names, refused writes), 3
the machine around the product (a store that cannot be reached, a busy port, the page's
libraries missing), 2 anything unexpected (``LIAISON_DEBUG=1`` logs the traceback), 130 an
interruption. Output for machines is JSON; output for people is a Chinese table.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import sys
import threading
import time
from pathlib import Path

import click
from liaison_graph.api.commands import ledger, admin, dossier, graphserver, lookups, persons, questions, rosters, terms
from liaison_graph.api.commands.stores import open_store, store_options, with_store_options
from liaison_graph.api.commands.translate import emit_json
from liaison_graph.api.commands.usage import in_chinese, usage_line
from liaison_graph.api.output import load_summary
from liaison_graph.api.verbs.loading import load as load_rosters
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import CommitteeNotFound, LiaisonError, MemberNotFound, Unavailable

__all__ = ["cli", "entry", "main", "open_store", "serve"]  # open_store: for scripts that open a store as the CLI does

log = logging.getLogger("liaison")

OK, WRONG_INPUT, UNEXPECTED, ENVIRONMENT, INTERRUPTED = 0, 1, 2, 3, 130  # the README's exit statuses
EXIT = ((Unavailable, ENVIRONMENT), (LiaisonError, WRONG_INPUT))  # a product error's status: its first class here
HINTS = {  # what the command line adds to a name it cannot find
    CommitteeNotFound: "可用 liaison committees 查看政协的名称和编号",
    MemberNotFound: "可用 liaison members --q 姓名 查找委员的编号",
}

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(importlib.metadata.version("liaison-graph"), "--version", prog_name="liaison",
                      message="%(prog)s %(version)s", help="显示版本号并退出")
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
    progress = Progress() if sys.stderr.isatty() else None
    try:
        with open_store(store_config, write=True) as store:
            loaded = load_rosters(store, WHOLE, list(files), moves, progress)
    finally:
        if progress:
            progress.stop()
    if fmt == "json":
        emit_json({k: loaded[k] for k in ("files", "rows", "created", "updated", "ignored")})
    else:
        click.echo(load_summary(loaded))


for command in (questions.gaps, questions.stats, questions.coverage, questions.due, questions.attendance, questions.policies, questions.reach,
                questions.why, questions.diff, questions.network, questions.recommend, lookups.committees,
                lookups.members, rosters.generate, rosters.template, admin.backup, admin.restore, admin.clear, admin.sync,
                admin.export, admin.serve, admin.token, ledger.contacts, ledger.digest, ledger.digest_ack,
                graphserver.neo4j_group, dossier.dossier, persons.persons, terms.term):
    cli.add_command(command)
in_chinese(cli)
serve = admin.serve


def error_line(exc: LiaisonError) -> str:
    """A product error as the command line says it: one line, with a hint where there is one."""
    hint = next((text for cls, text in HINTS.items() if isinstance(exc, cls)), None)
    return f"错误：{exc.message}" + (f"；{hint}" if hint else "")


def exit_status(exc: LiaisonError) -> int:
    return next(status for cls, status in EXIT if isinstance(exc, cls))


def main(argv=None) -> int:
    try:
        cli.main(args=argv, prog_name="liaison", standalone_mode=False)
    except LiaisonError as exc:
        click.echo(error_line(exc), err=True)
        return exit_status(exc)
    except click.exceptions.NoArgsIsHelpError as exc:  # `liaison` alone: its help, as before
        exc.show()
        return exc.exit_code
    except click.UsageError as exc:  # an unknown option or command, a bad value, a missing one
        click.echo(usage_line(exc, list(sys.argv[1:] if argv is None else argv)), err=True)
        return WRONG_INPUT
    except click.ClickException as exc:  # click's file errors and the like: its message, in one line
        click.echo(f"错误：{' '.join(exc.format_message().split())}", err=True)
        return WRONG_INPUT
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("已中断", err=True)
        return INTERRUPTED
    except Exception as exc:  # the edge: nothing unexpected reaches the user as a traceback
        log.debug("unexpected error", exc_info=True)
        if os.environ.get("LIAISON_DEBUG"):
            raise
        text = " ".join(str(exc).split())
        click.echo(f"内部错误（{type(exc).__name__}）：{text}（设置 LIAISON_DEBUG=1 可查看详情）", err=True)
        return UNEXPECTED
    return OK


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
