"""Names in natural order: the numbers in a name, written in digits or in Chinese numerals,
compared as numbers (第二 before 第十, 第十 before 第十一, 九组 before 10组), the text between
them as text. Reports order their groups by it; printed workbooks their lists."""

from __future__ import annotations

import re

_DIGITS = {**{ch: i for i, ch in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUMBER = re.compile(rf"\d+|[{''.join(_DIGITS)}{''.join(_UNITS)}]+")


def numeral(text: str) -> int:
    """The number a run of digits or Chinese numerals writes: 十一 11, 二十 20, 一百零五 105,
    and, without 十 百 千 万, digit by digit: 二〇二四 2024."""
    if text.isdecimal():
        return int(text)
    if not any(ch in _UNITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch == "万":
            total += (section + digit) * 10000
            section = digit = 0
        elif ch in _UNITS:
            section += max(digit, 1) * _UNITS[ch]
            digit = 0
        else:
            digit = _DIGITS[ch]
    return total + section + digit


def natural(name: str | None) -> tuple:
    """A name's place in natural order: the text before each number and the number, then
    the text after the last (a name without a number sorts as its text)."""
    text, parts, at = name or "", [], 0
    for m in _NUMBER.finditer(text):
        parts.append((text[at:m.start()], numeral(m.group())))
        at = m.end()
    return (*parts, (text[at:], -1))
