"""The commands that prepare a graph server for the Bolt store: ``liaison neo4j init``
creates the constraints and indexes the store needs (once, by an account allowed to change
the schema); every other command only checks that they are there and writes no schema."""

from __future__ import annotations

import click

from liaison_graph.api.commands.stores import bolt_uri, open_bolt, store_location, store_options


@click.group("neo4j")
def neo4j_group():
    """Neo4j 图数据库：建立本程序所需的约束和索引。"""


@neo4j_group.command("init")
@store_options
def neo4j_init(store_config):
    """在 Neo4j 图数据库中建立本程序所需的约束和索引，并等到索引全部可用。

    可重复运行：已有的不变。须用有权修改数据库结构的账号；此后只读账号也可运行各查询命令。"""
    uri = bolt_uri(store_config, required=True)
    with open_bolt(uri, store_config, schema="leave") as store:
        done = store.init_schema()
        where = store_location(store)
    added = (f"新建约束 {done['constraints_added']} 个、索引 {done['indexes_added']} 个"
             if done["constraints_added"] or done["indexes_added"] else "无需新建")
    click.echo(f"已就绪：{where} 中有本程序所需的约束 {done['constraints']} 个、索引 {done['indexes']} 个，"
               f"索引均已可用（本次{added}）")
