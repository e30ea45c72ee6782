"""What a workbook's file says beyond its cells' values, read from its zip parts and XML where
the readers (loaders.workbook) do not tell it: whether it is a zip bomb, whether a worksheet
holds a formula's error cell, which cells are merged, and which numbers a format shows
padded with zeros (an id or a postal code typed as a number).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from liaison_graph.graph.errors import InputError, Where

log = logging.getLogger(__name__)

MAX_XLSX_UNPACKED = 1024 * 1024 * 1024  # everything inside a workbook, unpacked
MAX_XLSX_RATIO = 200  # unpacked / packed, for any part over 10 MB: more is a zip bomb
MAX_XLSX_PARTS = 10_000


def check_zip(path: Path, display: str) -> None:
    """Refuse a workbook whose parts would unpack to far more than it holds (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(Where(display), "不是有效的 Excel (.xlsx) 文件") from None
    if len(parts) > MAX_XLSX_PARTS:
        raise InputError(Where(display), f"Excel 文件内部条目过多（{len(parts)} 个），拒绝读取")
    total = sum(p.file_size for p in parts)
    suspicious = [p for p in parts if p.file_size > 10 * 1024 * 1024 and p.file_size > MAX_XLSX_RATIO * max(p.compress_size, 1)]
    if total > MAX_XLSX_UNPACKED or suspicious:
        raise InputError(Where(display), f"Excel 文件解压后过大（{total // (1024 * 1024)} MB），疑似压缩炸弹，拒绝读取")


ERROR_CELL_MARKS = (b' t="e"', b" t='e'")  # a worksheet's error cell, in the file's XML


def has_error_cells(path: Path) -> bool:
    """Whether a worksheet of the workbook holds an error cell (read through once, in chunks)."""
    with zipfile.ZipFile(path) as z:
        for part in z.infolist():
            if not part.filename.startswith("xl/worksheets/"):
                continue
            with z.open(part) as fh:
                tail = b""
                while chunk := fh.read(1 << 24):
                    data = tail + chunk
                    if any(mark in data for mark in ERROR_CELL_MARKS):
                        return True
                    tail = data[-8:]
    return False


# What a workbook says beyond its cells' values, read from its XML where the readers do not
# tell it: which cells are merged, and which numbers are shown padded with zeros.
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CHUNK = 1 << 24
CELL_REF = re.compile(rb"""\sr=["']([A-Z]{1,3})([0-9]{1,7})["']""")
CELL_TYPE = re.compile(rb"""\st=["']([a-zA-Z]+)["']""")
MERGE_REF = re.compile(rb"""<(?:\w+:)?mergeCell\s[^>]*?ref=["']([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})["']""")
# A number format that shows a whole number as digits padded with zeros, maybe between
# literal text: 0000, 00000, "XS"0000, \N0000 (an id or a postal code typed as a number).
ZERO_FORMAT = re.compile(r"""^((?:"[^"]*"|\\.|[-_ /()])*)(0+)((?:"[^"]*"|\\.|[-_ /()])*)$""")


@dataclass(frozen=True)
class ZeroFormat:
    before: str
    zeros: int
    after: str

    def shown(self, value):
        """A number as the format shows it, or the number itself when the format shows it as
        a plain number would be shown (General: no padding, no text around it)."""
        if value.__class__ not in (int, float) or not math.isfinite(value):
            return value
        whole = int(Decimal(repr(abs(value))).quantize(Decimal(1), ROUND_HALF_UP))
        text = ("-" if value < 0 and whole else "") + self.before + str(whole).zfill(self.zeros) + self.after
        return value if text == str(value).removesuffix(".0") else text


def _literal(text: str) -> str:
    return re.sub(r'"([^"]*)"|\\(.)', lambda m: m[1] if m[1] is not None else m[2], text)


@functools.lru_cache(maxsize=256)
def padding_format(code: str | None) -> ZeroFormat | None:
    """The format, if it shows a whole number otherwise than General does (zeros before it,
    text around it)."""
    m = ZERO_FORMAT.match(code or "")
    if m is None or len(m[2]) < 2 and not m[1] and not m[3]:
        return None
    return ZeroFormat(_literal(m[1]), len(m[2]), _literal(m[3]))


def _column_index(letters: bytes) -> int:
    """A column's 0-based index from its letters: A → 0."""
    index = 0
    for c in letters:
        index = index * 26 + c - 64
    return index - 1


def _part_path(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = []
    for piece in (PurePosixPath(base).parent / target).parts:
        if piece == "..":
            parts = parts[:-1]
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def workbook_parts(z: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """The worksheets' parts by sheet name, and the styles part; none when the workbook is laid
    out otherwise (the readers then say what they make of it)."""
    try:
        return _parts_of(z)
    except (KeyError, ElementTree.ParseError) as exc:
        log.debug("workbook parts not found: %s", exc)
        return {}, None


def _parts_of(z: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets, styles = {}, None
    for rel in rels.iter(f"{NS_PKG}Relationship"):
        path = _part_path("xl/workbook.xml", rel.get("Target", ""))
        targets[rel.get("Id")] = path
        if rel.get("Type", "").endswith("/styles"):
            styles = path
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    sheets = {s.get("name"): targets.get(s.get(f"{NS_REL}id")) for s in book.iter(f"{NS_MAIN}sheet")}
    return sheets, styles


def zero_styles(z: zipfile.ZipFile, styles: str | None) -> dict[int, ZeroFormat]:
    """The cell styles (cellXfs index, a cell's s="…") whose number format pads with zeros."""
    if styles is None or styles not in z.namelist():
        return {}
    try:
        root = ElementTree.fromstring(z.read(styles))
    except ElementTree.ParseError as exc:
        log.debug("styles not read: %s", exc)
        return {}
    codes = {int(f.get("numFmtId", -1)): f.get("formatCode") for f in root.iter(f"{NS_MAIN}numFmt")}
    found = {}
    xfs = root.find(f"{NS_MAIN}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else ()):
        fmt = padding_format(codes.get(int(xf.get("numFmtId", 0))))
        if fmt is not None:
            found[index] = fmt
    return found


def _scan(z: zipfile.ZipFile, part: str, needles: list[bytes], found) -> None:
    """Read a part in chunks and hand ``found`` each chunk with where each needle stands in it
    (whole tags: a chunk keeps the tail its last tag may run into)."""
    with z.open(part) as fh:
        tail = b""
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            cut = max(0, len(data) - 4096)
            found(data, [at for needle in needles for at in _all(data, needle)])
            tail = data[cut:]


def _all(data: bytes, needle: bytes) -> Iterator[int]:
    at = data.find(needle)
    while at != -1:
        yield at
        at = data.find(needle, at + 1)


def zero_cells(z: zipfile.ZipFile, part: str, styles: dict[int, ZeroFormat]) -> dict[int, dict[int, ZeroFormat]] | None:
    """The number cells of a worksheet shown padded with zeros: row number -> column index ->
    format. None when a styled cell does not say where it stands (no r="…": then openpyxl
    reads the workbook)."""
    cells: dict[int, dict[int, ZeroFormat]] = {}
    needles = [f" s={q}{k}{q}".encode() for k in styles for q in "\"'"]
    lost = []

    def found(data: bytes, places: list[int]) -> None:
        for at in places:
            start, end = data.rfind(b"<", 0, at), data.find(b">", at)
            if start == -1 or end == -1:
                continue
            tag = data[start:end]
            if not tag.startswith((b"<c ", b"<x:c ")):
                continue
            kind = CELL_TYPE.search(tag)
            if kind is not None and kind[1] != b"n":
                continue  # text, a truth value, an error: shown as it is
            ref = CELL_REF.search(tag)
            if ref is None:
                lost.append(at)
                return
            style = int(re.search(rb"""\ss=["'](\d+)""", tag)[1])
            cells.setdefault(int(ref[2]), {})[_column_index(ref[1])] = styles[style]

    _scan(z, part, needles, found)
    return None if lost else cells


def merged_ranges(z: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    """A worksheet's merged ranges: (top row, left column index, bottom row, right column index)."""
    merges = []

    def found(data: bytes, places: list[int]) -> None:
        for at in places:
            m = MERGE_REF.match(data, max(data.rfind(b"<", 0, at), 0))
            if m:
                merges.append((int(m[2]), _column_index(m[1]), int(m[4]), _column_index(m[3])))

    _scan(z, part, [b"mergeCell "], found)
    return list(dict.fromkeys(merges))  # a range the chunks' overlap found twice
