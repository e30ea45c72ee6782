"""What the account may not do on a graph server: Neo4j's answer to it (``Forbidden``: a
reader's write, an editor's change of the schema, a database the account may not read) raised
as the product's one line, which names the account and what was being done. The server's own
words go to the log (``-v``)."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from liaison_graph.graph.errors import StoreError, StoreUnreachable
from neo4j.exceptions import Neo4jError

log = logging.getLogger(__name__)

FORBIDDEN = "Neo.ClientError.Security.Forbidden"  # what the account's roles do not allow
REFUSED = {  # by what was being done: the error (its exit status) and its line
    "read": (StoreUnreachable, "{account}没有读取图数据库的权限（库：{where}）"),
    "write": (StoreError, "写入图数据库失败，未写入任何数据：{account}没有写入权限（只读账号只能运行查询命令）"),
    "clear": (StoreError, "清空图数据库失败：{account}没有写入权限（只读账号只能运行查询命令）"),
    "schema": (StoreError, "无法在图数据库中建立约束和索引：{account}没有修改数据库结构的权限，"
                           "请用有此权限的账号运行 liaison neo4j init"),
}


@contextmanager
def allowed(doing: str, user: str | None, uri: str, database: str | None):
    """Inside, the server's refusal of what the account ``user`` may not do raised as the
    product's line for ``doing`` (a key of ``REFUSED``); any other error as it is."""
    try:
        yield
    except Neo4jError as exc:
        if exc.code != FORBIDDEN:
            raise
        log.info("the server refused account %s (%s): %s", user, exc.code, exc.message)
        cls, text = REFUSED[doing]
        account = f"账号 {user} " if user else "该账号"
        where = uri + (f"（数据库 {database}）" if database else "")
        raise cls(text.format(account=account, where=where), uri=uri) from None
