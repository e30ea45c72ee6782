"""Click's usage errors (an unknown option or command, a bad choice or number, a missing
option or argument) as the one Chinese line the command line gives for every error."""

from __future__ import annotations

import re

import click


def _given(argv: list[str], param: click.Parameter) -> str | None:
    """The value the command line gave an option (its last occurrence), if it can be found."""
    opts = [*param.opts, *getattr(param, "secondary_opts", [])]
    found = None
    for i, arg in enumerate(argv):
        if arg in opts and i + 1 < len(argv):
            found = argv[i + 1]
        for opt in opts:
            if opt.startswith("--") and arg.startswith(opt + "="):
                found = arg[len(opt) + 1:]
    return found


def _accepted(kind: click.ParamType) -> str:
    """What a parameter type accepts, in Chinese."""
    if isinstance(kind, click.Choice):
        return "可选：" + "、".join(map(str, kind.choices))
    if isinstance(kind, click.IntRange):
        if kind.min is not None and kind.max is not None:
            return f"应为 {kind.min} 到 {kind.max} 之间的整数"
        return f"应为不小于 {kind.min} 的整数" if kind.min is not None else f"应为不大于 {kind.max} 的整数"
    if isinstance(kind, click.types.IntParamType):
        return "应为整数"
    if isinstance(kind, click.types.FloatParamType):
        return "应为数字"
    return "取值无效"


def _name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return "选项 " + max(param.opts, key=len)
    return "参数 " + (param.metavar or (param.name or "").upper())


def usage_line(exc: click.UsageError, argv: list[str]) -> str:
    """One Chinese line for a usage error, naming the option (or argument) and the value."""
    where = exc.ctx.command_path if exc.ctx else "liaison"
    hint = f"（用 {where} --help 查看用法）"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        maybe = "、".join(sorted(exc.possibilities))
        return f"错误：没有命令「{exc.command_name}」" + (f"，是否要用 {maybe}？" if maybe else "") + hint
    if isinstance(exc, click.NoSuchOption):
        maybe = "、".join(sorted(exc.possibilities))
        return f"错误：没有选项 {exc.option_name}" + (f"，是否要用 {maybe}？" if maybe else "") + hint
    if isinstance(exc, click.BadOptionUsage):
        if "requires an argument" in exc.message:
            return f"错误：选项 {exc.option_name} 需要一个值" + hint
        return f"错误：选项 {exc.option_name} 用法有误" + hint
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        accepted = _accepted(exc.param.type)
        return f"错误：缺少{_name(exc.param)}" + (f"（{accepted}）" if accepted != "取值无效" else "") + hint
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        value = _given(argv, exc.param) if isinstance(exc.param, click.Option) else None
        shown = f"「{value}」" if value is not None else ""
        return f"错误：{_name(exc.param)} 的值{shown}无效，{_accepted(exc.param.type)}" + hint
    extra = re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", exc.message)
    if extra:
        return f"错误：多余的参数：{extra.group(1)}" + hint
    return f"错误：命令用法有误（{exc.message}）" + hint


HELP = "显示本帮助并退出"
HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))
# What click writes after an option's help. (Value placeholders such as PATH or DATE stay
# as they are: click aligns the columns by characters, and a Chinese one would shift them.)
MARKS = (("[required]", "[必填]"), ("[default: ", "[默认："), ("; required]", "；必填]"), ("[env var: ", "[环境变量："))


class ChineseHelp(click.HelpFormatter):
    """``--help`` in Chinese: the usage line, the headings."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in WORDS:
            args = args.replace(english, chinese)
        super().write_usage(prog, args, prefix="用法：")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        def marks(text: str) -> str:
            for english, chinese in MARKS:
                text = text.replace(english, chinese)
            return text

        super().write_dl([(term, marks(text)) for term, text in rows], col_max, col_spacing)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelp


def in_chinese(command: click.Command) -> None:
    """A command and those under it: help in Chinese, ``-h``/``--help`` described in Chinese."""
    command.context_class = ChineseContext
    command.context_settings = {**command.context_settings, "help_option_names": []}
    click.help_option("-h", "--help", help=HELP)(command)
    for sub in getattr(command, "commands", {}).values():
        in_chinese(sub)
