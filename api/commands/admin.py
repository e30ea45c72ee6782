"""The commands that keep the store and the service: backup, restore, clear, sync, export (the
files of a graph server's bulk import), serve, and the access tokens (create, list, revoke). The command line speaks for the whole store."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import click

from liaison_graph.api.commands.stores import open_bolt, open_store, store_options
from liaison_graph.api.commands.translate import emit_json
from liaison_graph.api.auth import ROLE_LABELS
from liaison_graph.api.output import committee_name, kind_label, tokens_table
from liaison_graph.api.verbs import backups, exports, tokens
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.store import STAT_KEYS
from liaison_graph.graph.errors import BadArgument, Unavailable

log = logging.getLogger("liaison")


@click.command()
@click.argument("target", type=click.Path(path_type=Path))
@store_options
def backup(target, store_config):
    """备份嵌入式库到一个新文件（服务运行时也可以，备份是同一时刻的完整副本）。"""
    with open_store(store_config) as store:
        path = backups.backup(store, WHOLE, target)
    click.echo(f"已备份到 {path}")


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@store_options
def restore(source, store_config):
    """用备份文件替换嵌入式库的名单数据（一次完成，服务运行时也可以）。

    令牌、审计记录和变更流沿用本库，并记下这次恢复；旧版本的备份先升级。

    结构与本程序不符或政协上下级成环的备份被拒绝，本库不变。"""
    with open_store(store_config, write=True) as store:
        counts = backups.restore(store, WHOLE, source)
    click.echo(f"已从 {source} 恢复：委员 {counts['members']} 名，联系 {counts['liaisons']} 条")


@click.command()
@click.option("--yes", "confirmed", is_flag=True, help="确认清空（不可撤销；先用 backup 备份）")
@store_options
def clear(confirmed, store_config):
    """清空名单：政协、党组织、委员、联系、联系记录和变更流全部删除；令牌和审计记录保留，并记下这次清空。

    也用于撤销图数据库中未完成的首次分批导入。须加 --yes 确认。"""
    if not confirmed:
        raise BadArgument("清空名单不可撤销：确认请加 --yes（可先用 liaison backup 备份嵌入式库）")
    with open_store(store_config, write=True) as store:
        before = backups.clear(store, WHOLE)
    held = "，".join(f"{kind_label(STAT_KEYS[k])} {v}" for k, v in before.items() if v) or "库中原本没有名单"
    click.echo(f"已清空名单（{held}）；令牌和审计记录保留")


@click.command()
@click.option("--to-neo4j", "to_neo4j", metavar="URI", required=True, help="目标 Neo4j 地址（bolt:// 或 neo4j://）")
@click.option("--replace", is_flag=True, help="先清空目标库再复制（否则按编号合并）")
@click.option("--allow-move", "moves", is_flag=True, help="合并时允许把目标库中已有的委员、党组织、活动移到另一个政协（默认拒绝）")
@store_options
def sync(to_neo4j, replace, moves, store_config):
    """把嵌入式库的全部内容复制到 Neo4j 图数据库（读者只会看到复制前或复制后的完整名单）。"""
    from liaison_graph.graph.sync import copy_store

    store_config = {**store_config, "neo4j": None}
    with open_store(store_config) as source, open_bolt(to_neo4j, store_config, schema="create") as target:
        counts = copy_store(source, target, replace=replace, moves=moves)
    click.echo("已同步到 " + to_neo4j + "：" + "，".join(f"{kind_label(k)} {v}" for k, v in counts.items()))


@click.command()
@click.option("--neo4j-admin", "directory", required=True, metavar="DIR", type=click.Path(path_type=Path),
              help="写出 neo4j-admin database import full 所用的 CSV 文件和表头到这个空目录或新目录")
@store_options
def export(directory, store_config):
    """把整个库的名单图（不含令牌、审计记录和变更流）写成 Neo4j 批量导入工具的文件，并打印导入命令。

    用于省级、全国规模的首次装载：比 load --neo4j 或 sync 逐批写入快得多。"""
    from liaison_graph.api import neo4j_admin

    neo4j_admin.check(directory)  # before the store is read: a folder that will not do is refused at once
    with open_store(store_config) as store:
        dump = exports.whole(store, WHOLE)
    written = neo4j_admin.write(dump, directory)
    nodes = sum(f.rows for f in written.files if f.option == "nodes")
    relationships = sum(f.rows for f in written.files if f.option == "relationships")
    click.echo(f"已写出 {len(written.files) * 2} 个文件到 {Path(directory).absolute()}："
               f"节点 {nodes} 个，关系 {relationships} 条（令牌、审计记录和变更流不导出）。")
    click.echo("在 Neo4j 服务器上（目标数据库须不存在或为空，且已停止）运行：")
    click.echo(written.command())
    click.echo("最后一项 neo4j 是目标数据库名，可按需改。导入后启动数据库，再运行 liaison neo4j init 建立约束和索引，"
               "并用 liaison token create 重新签发令牌。")


@click.command()
@click.option("--demo", is_flag=True, help="演示：在临时库中导入示例名单，并打印一个管理员令牌")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（默认只监听本机）")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口")
@click.option("--max-upload-mb", type=click.IntRange(1, 1024), default=20, show_default=True, help="上传文件合计上限（MB）")
@click.option("--max-json-kb", type=click.IntRange(1, 102400), default=1024, show_default=True,
              help="其他请求内容（JSON）的上限（KB）")
@click.option("--workers", default="auto", show_default=True, metavar="N|auto",
              callback=lambda ctx, param, value: _workers(value),
              help="工作进程数：auto 为每个处理器核一个，最多 4 个；1 为单进程")
@click.option("--digest-webhook", "webhook", metavar="URL",
              help="定期把动态摘要（JSON）POST 到此地址（如组织办公室内网的接收程序）")
@click.option("--digest-every", "every", type=click.FloatRange(0.0001, 24 * 31), default=24.0, show_default=True,
              metavar="HOURS", help="多少小时发一次动态摘要")
@click.option("--digest-committee", "digest_committee", metavar="ID", help="动态摘要所属政协（默认整个库）")
@click.option("--digest-policy", "digest_policy", metavar="NAME", help="动态摘要按哪个政策列出待联系（默认两个全覆盖）")
@store_options
def serve(demo, host, port, max_upload_mb, max_json_kb, workers, webhook, every, digest_committee, digest_policy,
          store_config):
    """启动 HTTP 服务（/api/v1 接口、/docs 接口文档）。每个请求须带访问令牌。"""
    import tempfile

    import uvicorn

    from liaison_graph.api.app import serving_app
    from liaison_graph.api.service import Service
    from liaison_graph.api.longwork import LongWork
    from liaison_graph.api.workers import SERVE_ENV, app as worker_app

    check_port(host, port)
    check_page_libraries()
    with tempfile.TemporaryDirectory() as tmp:
        if demo:
            from liaison_graph.api.verbs.loading import load
            from liaison_graph.loaders.sample import SAMPLE, write_sample

            store = open_store({**store_config, "neo4j": None, "db": str(Path(tmp) / "demo.db")}, write=True)
            load(store, WHOLE, [SAMPLE if SAMPLE.exists() else write_sample(Path(tmp) / SAMPLE.name)])
            root = sorted(c for c, p in store.committees().items() if not p.get("parent_id"))[0]
            issued = tokens.create(store, WHOLE, root, "admin", "演示")
        else:
            store = open_store(store_config)
        limits = {"max_upload_bytes": max_upload_mb * 1024 * 1024, "max_json_bytes": max_json_kb * 1024, "demo": demo}
        # what a worker opens (the demo's file too, in the folder above)
        config = {**store_config, "db": str(store.path)} if hasattr(store, "path") else store_config
        address = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        if demo:
            click.echo(f"演示库已就绪（示例名单，{committee_name(store.committees(), root)}）。管理员令牌：")
            click.echo(issued.secret)
            click.echo(f"在浏览器中打开：{address}/#token={issued.secret}")
        click.echo(f"服务地址：{address}（接口文档 {address}/docs），{workers} 个工作进程，按 Ctrl+C 停止")
        log.info("serving on %s:%s with %s workers", host, port, workers)
        sender = None
        if webhook:
            from liaison_graph.api.digests import DigestSender

            sender = DigestSender(lambda: open_store(config), webhook, every, digest_committee, digest_policy)
            sender.start()
            click.echo(f"动态摘要：每 {every:g} 小时发送到 {webhook}")
        try:
            if workers == 1:
                service = Service(store, long_work=LongWork(config), **limits)
                try:
                    uvicorn.run(serving_app(service), host=host, port=port, log_level="warning")
                finally:
                    service.close()
                return
            store.close()  # each worker opens the store itself
            os.environ[SERVE_ENV] = json.dumps({"store": config, "parent": os.getpid(), **limits})
            uvicorn.run(f"{worker_app.__module__}:{worker_app.__name__}", factory=True, host=host, port=port,
                        workers=workers, log_level="warning")
        finally:
            if sender is not None:
                sender.stop()


def _workers(value: str) -> int:
    from liaison_graph.api.workers import count

    if value != "auto" and not (value.isdecimal() and 1 <= int(value) <= 64):
        raise BadArgument(f"--workers 应为 1 到 64 之间的整数或 auto，不是「{value}」", field="workers", value=value)
    return count(value)


def check_port(host: str, port: int) -> None:
    """Refuse, in one line, a port another program holds (or a host this machine cannot
    listen on), before the service starts: binding it is the test."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        raise BadArgument(f"无法解析监听地址「{host}」：{exc.strerror or exc}", field="host", value=host) from exc
    family, kind, proto, _, where = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(where)
        except OSError as exc:
            raise Unavailable(f"无法在 {host}:{port} 上监听（端口已被占用或无权使用），请用 --port 换一个端口",
                              field="port", value=port) from exc


def check_page_libraries() -> None:
    """Refuse, in one line, to serve a page whose libraries are not installed: the files
    the page loads from /vendor/, looked for where ``api/routes/page.py`` serves them."""
    from liaison_graph.api.routes import page

    missing = [path for path in page.VENDOR.values() if not (page.WEB / "node_modules" / path).is_file()]
    if missing:
        raise Unavailable(f"页面所需的前端库未安装（缺少 {'、'.join(missing)}，应在 {page.WEB / 'node_modules'} 下）："
                          "请在项目目录运行 npm ci --prefix web", missing=missing)


@click.group()
def token():
    """访问令牌：签发、列出、吊销（令牌只显示一次，库中只存其摘要）。"""


@token.command("create")
@click.option("--committee", "committee_id", metavar="ID|NAME",
              help="令牌所属政协，编号或名称（可见该政协及其下级政协）；委员本人的令牌不必给出")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), default="viewer", show_default=True,
              help="角色：只读、编辑、管理员")
@click.option("--member", "member_id", metavar="ID|NAME",
              help="委员本人的令牌：只能查看本人负责的联系和待联系事项、记录本人的联系（政协取该委员所属政协，--role 不适用）")
@click.option("--confirm/--no-confirm", "confirm", default=True, show_default=True,
              help="委员本人记录的联系须经组织办公室确认才计入（liaison contacts pending / confirm）")
@click.option("--name", metavar="TEXT", help="备注名（谁在用这个令牌）")
@click.option("--expires-days", type=click.IntRange(1, 3650), metavar="N", help="N 天后过期（默认不过期）")
@store_options
def token_create(committee_id, role, member_id, confirm, name, expires_days, store_config):
    """签发令牌；最后一行单独打印令牌本身。"""
    if committee_id is None and member_id is None:
        raise BadArgument("请给出令牌所属政协（--committee），或委员本人（--member）", field="committee")
    with open_store(store_config) as store:
        issued = tokens.create(store, WHOLE, committee_id, role, name, expires_days, member_id=member_id,
                               confirm=confirm)  # with its audit record
        committees = store.committees()
        person = store.node_props("Member", [issued.record.member_id]) if issued.record.member_id else {}
    record = issued.record
    name = (person.get(record.member_id) or {}).get("name")
    who = f"，委员本人 {name}（{record.member_id}），" + ("所记联系须经确认" if record.confirm else "所记联系直接计入") if record.member_id else ""
    click.echo(f"已签发令牌 {record.id}（政协 {committee_name(committees, record.committee_id)}，角色 {ROLE_LABELS[record.role]}{who}" +
               (f"，{record.expires_at} 过期" if record.expires_at else "") + "）。请妥善保存，此后不再显示：")
    click.echo(issued.secret)


@token.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="输出格式")
@store_options
def token_list(fmt, store_config):
    """列出令牌（不含令牌本身）。"""
    with open_store(store_config) as store:
        rows = tokens.tokens(store, WHOLE)
        committees = store.committees()
    emit_json(rows) if fmt == "json" else click.echo(tokens_table(rows, committees))


@token.command("revoke")
@click.argument("token_id", metavar="TOKEN_ID")
@store_options
def token_revoke(token_id, store_config):
    """吊销令牌（立即失效）。"""
    with open_store(store_config) as store:
        tokens.revoke(store, WHOLE, token_id)  # with its audit record
    click.echo(f"已吊销令牌 {token_id}")
