"""The store a command reads or writes: named by the options (``--db``, ``--neo4j`` …) or
the environment. The product's environment variables are read here, at the edge, and
nowhere else (apart from ``LIAISON_WEB_DIR``, which ``api/routes/page.py`` reads)."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import click

from liaison_graph.graph.errors import BadArgument, SchemaMissing, StoreError
from liaison_graph.graph.store import Store

log = logging.getLogger("liaison")

DEFAULT_DB = "liaison.db"
NO_ROSTER = "库中没有名单，请先 liaison load 导入名单"

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


def open_store(config: dict, write: bool = False) -> Store:
    """The store the options and environment name: Neo4j when a URI is given, else the
    embedded file.

    Only a command that writes a roster (``write``: load, restore) may create the file; every
    other command opens a store that exists and holds a roster, or refuses in one line
    naming the store, so that an empty or mistyped store never reports full coverage.

    A graph server's database must hold the constraints and indexes ``liaison neo4j init``
    creates; a command that writes a roster creates them when they are missing (the account
    needs the rights), every other command refuses without writing anything."""
    uri = bolt_uri(config)
    if uri:
        store = open_bolt(uri, config, schema="create" if write else "require")
    else:
        from liaison_graph.graph.embedded import EmbeddedStore

        path = config.get("db") or os.environ.get("LIAISON_DB") or DEFAULT_DB
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


def bolt_uri(config: dict, required: bool = False) -> str | None:
    """The graph server the options or the environment name, if any."""
    uri = config.get("neo4j") or os.environ.get("LIAISON_NEO4J_URI")
    if required and not uri:
        raise BadArgument("没有指定 Neo4j 图数据库：请用 --neo4j URI 或设置 LIAISON_NEO4J_URI", field="--neo4j")
    return uri


def open_bolt(uri: str, config: dict, schema: str = "require") -> Store:
    """The Bolt store at ``uri``; ``schema``: refuse without the schema (``require``), create
    it when missing (``create``), or leave it be (``leave``: ``liaison neo4j init``)."""
    from liaison_graph.graph.bolt import BoltStore

    env = os.environ
    database = config.get("neo4j_database") or env.get("LIAISON_NEO4J_DATABASE")
    log.info("opening Bolt store %s", uri)
    try:
        return BoltStore(
            uri,
            user=config.get("neo4j_user") or env.get("LIAISON_NEO4J_USER") or "neo4j",
            password=env.get("LIAISON_NEO4J_PASSWORD"),
            database=database,
            batch_size=_rows(env, "LIAISON_NEO4J_BATCH_SIZE", 5000),
            tx_rows=_rows(env, "LIAISON_NEO4J_TX_ROWS", 20_000),
            schema=schema,
        )
    except SchemaMissing as exc:
        raise SchemaMissing(f"{exc.message}（库：{server_location(uri, database)}）", **exc.details) from None


def _rows(env, name: str, default: int) -> int:
    """A number of rows set in the environment: a whole number above zero."""
    text = env.get(name)
    if text is None:
        return default
    if not text.strip().isdigit() or int(text) < 1:
        raise BadArgument(f"环境变量 {name} 应为正整数（行数），现为「{text}」", field=name, value=text)
    return int(text)


def server_location(uri: str, database: str | None) -> str:
    """A graph server's address (without any user name) and database."""
    address = urlsplit(uri)
    shown = address._replace(netloc=address.netloc.rpartition("@")[2]).geturl()
    return shown + (f"（数据库 {database}）" if database else "")


def store_location(store: Store) -> str:
    """The store as a person names it: the embedded file's full path, or the graph server's
    address (without any user name) and database."""
    path = getattr(store, "path", None)
    if path is not None:
        return str(Path(path).resolve())
    return server_location(store.uri, getattr(store, "database", None))
