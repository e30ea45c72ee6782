"""Read roster files into raw sheets: the format told by the file's extension, the size a
file may have, and the reader of each format.

``read_file(path)`` gives a :class:`ReadResult`: one :class:`RawSheet` per table found
(the table of the model it holds, where each column sits, and its data rows with their row
numbers) and what was left out. Values stay raw here (cell values as the file holds them);
``loaders.validate`` parses them. Anything that is not what its name says is refused with an
:class:`InputError`. How a table sits in a sheet (its header, its data rows) is
``loaders.layout``; workbooks are ``loaders.workbook``; CSV and JSON ``loaders.textfiles``.
"""

from __future__ import annotations

from pathlib import Path

from liaison_graph.graph.errors import InputError, Where
from liaison_graph.loaders.sheet import ReadResult
from liaison_graph.loaders.textfiles import read_csv, read_json
from liaison_graph.loaders.workbook import read_xlsx

MAX_FILE_BYTES = 200 * 1024 * 1024  # a roster file, as stored

READERS = {".xlsx": read_xlsx, ".xlsm": read_xlsx, ".csv": read_csv, ".json": read_json}


def read_file(path: Path) -> ReadResult:
    """Read one roster file of any supported format."""
    display = path.name
    if not path.is_file():
        raise InputError(Where(display), "文件不存在或不是普通文件")
    reader = READERS.get(path.suffix.lower())
    if reader is not None and path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(Where(display), f"文件过大（{path.stat().st_size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）")
    if reader is None:
        hint = "，请另存为 .xlsx" if path.suffix.lower() == ".xls" else ""
        raise InputError(Where(display), f"不支持的文件类型「{path.suffix or '无扩展名'}」（支持 .xlsx .csv .json）{hint}")
    return reader(path, display)
