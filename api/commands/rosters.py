"""The commands that write roster files of their own, without a store: the blank template
and the fictional rosters of the generator."""

from __future__ import annotations

from pathlib import Path

import click

from liaison_graph.graph.errors import BadArgument


@click.command()
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


@click.command()
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
