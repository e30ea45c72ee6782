"""What a text cell may hold, character by character, and how ids and names are read.

Every text cell loses the spaces and the invisible characters a paste brings along at its
ends (``INVISIBLE`` in graph.model: a byte-order mark, zero-width spaces and joiners, a word
joiner, a soft hyphen, the left-to-right and right-to-left marks). Ids and names lose those
invisible characters wherever they stand.

Ids and names refuse what a person cannot see and could be misled by, or what breaks the
files made from them (the XML exports, a CSV export loaded back, a one-line message):
control characters, tabs and line breaks, the other format characters (Unicode category
Cf: bidi embeddings, overrides and isolates, …), surrogates and noncharacters. A sheet's
headers (which name properties) may hold tabs and line breaks (an office breaks a long
header over two lines), never the rest. Free text (a contact's summary, an extra column)
may hold tabs, line breaks and format characters (the joiner inside an emoji), never the
rest.

An id's full-width letters, digits and signs (U+FF01–FF5E, as a Chinese input method types
them) are read as their ASCII forms, as headers are (NFKC on that block): the same id typed
either way names one node (``fold_id``). A name's spaces inside are alignment, not part of
it (``fold_name``): a name of Chinese characters (an office pads 李娜 to 李　娜) loses them
all; a name with Latin letters (John Smith) keeps one space between its words. Names are
compared on ``name_key``: the folded name with its full-width letters and digits as ASCII.

The same rules are written twice, for Python's ``re`` (the cell-by-cell path) and for the
columnar engine's regular expressions (loaders.bulk), from the one table of ranges below.
"""

from __future__ import annotations

import datetime as dt
import re

from liaison_graph.graph.model_types import INVISIBLE

TABS_AND_BREAKS = ((0x09, 0x0A), (0x0D, 0x0D))
CONTROLS = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))  # C0 and C1, but tab, LF and CR
# Unicode category Cf (as of Unicode 15; a test checks that it covers this Python's).
FORMAT = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
INVISIBLE_POINTS = frozenset(map(ord, INVISIBLE))  # taken out of every id and name, not refused


def _without(ranges, points) -> tuple[tuple[int, int], ...]:
    """The ranges less some code points."""
    out = []
    for lo, hi in ranges:
        start = lo
        for code in range(lo, hi + 1):
            if code in points:
                if start < code:
                    out.append((start, code - 1))
                start = code + 1
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


FORMAT_REFUSED = _without(FORMAT, INVISIBLE_POINTS)  # in ids and names: bidi embeddings, overrides, isolates, …
SURROGATES = ((0xD800, 0xDFFF),)  # only a JSON escape gives one alone; the columnar engine never holds one
NONCHARACTERS = ((0xFDD0, 0xFDEF), *((plane << 16 | 0xFFFE, plane << 16 | 0xFFFF) for plane in range(17)))

REFUSED = {  # text kind (model.yaml; header: a sheet's header) -> the ranges it refuses
    "id": TABS_AND_BREAKS + CONTROLS + FORMAT_REFUSED + SURROGATES + NONCHARACTERS,
    "name": TABS_AND_BREAKS + CONTROLS + FORMAT_REFUSED + SURROGATES + NONCHARACTERS,
    "header": CONTROLS + FORMAT + SURROGATES + NONCHARACTERS,
    "free": CONTROLS + SURROGATES + NONCHARACTERS,
}


def _python_class(ranges) -> str:
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]"


def _engine_class(ranges) -> str:
    """The same class in the columnar engine's syntax (it holds valid UTF-8 only: no surrogates)."""
    return "[" + "".join(f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in ranges if lo not in range(0xD800, 0xE000)) + "]"


def _points(chars: str) -> tuple[tuple[int, int], ...]:
    return tuple((ord(c), ord(c)) for c in sorted(set(chars)))


PATTERNS = {kind: re.compile(_python_class(ranges)) for kind, ranges in REFUSED.items()}
ENGINE_PATTERNS = {kind: _engine_class(ranges) for kind, ranges in REFUSED.items()}
# What a message writes as U+XXXX: what a name refuses and what it loses unseen.
SHOWN = re.compile(_python_class(REFUSED["name"] + _points(INVISIBLE)))

# What Python's str.strip() removes (every character str.isspace() holds, none past U+3000).
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
ENDS = WHITESPACE + INVISIBLE  # what every text cell loses at its ends
INVISIBLE_CLASS = _python_class(_points(INVISIBLE))
ENGINE_INVISIBLE = _engine_class(_points(INVISIBLE))
SPACES = _python_class(_points(WHITESPACE)) + "+"
ENGINE_SPACES = _engine_class(_points(WHITESPACE)) + "+"
# Latin letters (ASCII, accented, pinyin with tones, full-width): a name holding one keeps a
# space between its words.
LATIN = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F), (0x1E00, 0x1EFF),
         (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
LATIN_CLASS = _python_class(LATIN)
ENGINE_LATIN = _engine_class(LATIN)
_INVISIBLE_RE, _SPACES_RE, _LATIN_RE = re.compile(INVISIBLE_CLASS), re.compile(SPACES), re.compile(LATIN_CLASS)

FULL_WIDTH = range(0xFF01, 0xFF5F)  # ！ to ～: NFKC reads each as the ASCII sign 0xFEE0 below it
FULL_WIDTH_CHARS = [chr(c) for c in FULL_WIDTH]
ASCII_CHARS = [chr(c - 0xFEE0) for c in FULL_WIDTH]
_FOLD = str.maketrans(dict(zip(FULL_WIDTH_CHARS, ASCII_CHARS)))


def strip_text(text: str) -> str:
    """A cell's text without the spaces and invisible characters at its ends."""
    return text.strip(ENDS)


def _visible(text: str) -> str:
    return strip_text(_INVISIBLE_RE.sub("", text)) if _INVISIBLE_RE.search(text) else strip_text(text)


def fold_id(text: str) -> str:
    """An id as stored: without invisible characters and the spaces at its ends, its
    full-width letters, digits and signs as ASCII."""
    return _visible(text).translate(_FOLD)


def fold_name(text: str) -> str:
    """A name as stored and shown: without invisible characters and the spaces at its ends;
    the spaces inside taken out (a name of Chinese characters) or made one space (a name with
    Latin letters)."""
    text = _visible(text)
    return _SPACES_RE.sub(" " if _LATIN_RE.search(text) else "", text)


def name_key(text: str) -> str:
    """What two names are compared on: folded, full-width letters and digits as ASCII."""
    return fold_name(text).translate(_FOLD)


def _within(code: int, ranges) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


def _what(char: str) -> str:
    code = ord(char)
    if char == "\t":
        return "制表符"
    if char in "\n\r":
        return "换行符"
    if _within(code, CONTROLS):
        return "控制字符"
    if code in (0x200E, 0x200F, 0x061C) or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "文字方向控制符"
    if code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):
        return "零宽字符"
    if _within(code, FORMAT):
        return "格式控制符"
    if _within(code, SURROGATES):
        return "无效字符（单独的代理码位）"
    return "无效字符（Unicode 非字符）"


def text_fault(text: str, kind: str = "name") -> str | None:
    """What is wrong with a text's characters for a column of this text kind, in the words a
    person reads (after the column's name); None when nothing is."""
    found = PATTERNS[kind].search(text)
    if found is None:
        return None
    char = found.group()
    return f"含不可见的{_what(char)} U+{ord(char):04X}（第{found.start() + 1}个字符），请删除后再导入"


def shown(text: str, limit: int = 40) -> str:
    """A text as a message may quote it: what a name may not hold written as U+XXXX, and
    cut short when long."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return SHOWN.sub(lambda m: f"U+{ord(m.group()):04X}", text)


def cell_text(value) -> str | None:
    """A cell's value as the text a person reads in it, without the spaces and invisible
    characters at its ends; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = strip_text(str(value))
    return text or None
