"""The name an uploaded file is kept under while it is read: the client's name, made safe.

A multipart part names its file as the client likes (``..``, ``x/..``, ``C:\\名单\\members.csv``,
three hundred characters, control characters). The loaders need the extension (.xlsx,
.csv, .json) and, for a CSV, the stem (the table: ``members.csv``); the name also appears
in error messages and the audit trail. So: the last path component only, control
characters replaced, a name that is no name replaced by ``upload-N``, a long one cut to
:data:`MAX_NAME` characters keeping its extension.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from liaison_graph.graph.errors import BadArgument, TooLarge

MAX_NAME = 100  # characters
MAX_BYTES = 200  # UTF-8 bytes; file systems take 255
MAX_SUFFIX = 10


def _fit(char: str) -> str:
    try:
        char.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return "_"
    return char if char.isprintable() or char == "\u3000" else "_"


def upload_name(filename: str | None, index: int) -> str:
    """A safe base name for the ``index``-th uploaded file."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(_fit(c) for c in name).strip()
    if name.strip(".") == "":
        return f"upload-{index}"
    if len(name) > MAX_NAME or len(name.encode("utf-8")) > MAX_BYTES:
        stem, suffix = os.path.splitext(name)
        if len(suffix) > MAX_SUFFIX:
            stem, suffix = name, ""
        stem = stem[:MAX_NAME - len(suffix)]
        while len((stem + suffix).encode("utf-8")) > MAX_BYTES:
            stem = stem[:-1]
        name = stem + suffix
    return name


def save_uploads(files, folder: Path, budget: int) -> list[Path]:
    """The uploaded files (FastAPI's ``UploadFile``) written under ``folder``, each in a folder
    of its own (the same name twice stays two files), refused past ``budget`` bytes in all."""
    if not files:
        raise BadArgument("没有上传文件", field="files")
    paths, left = [], budget
    for i, f in enumerate(files):
        name = upload_name(f.filename, i)
        data = f.file.read(left + 1)
        left -= len(data)
        if left < 0:
            raise TooLarge(f"上传文件过大（合计上限 {budget // (1024 * 1024)} MB）", field="files", value=name)
        path = folder / str(i) / name
        path.parent.mkdir()
        path.write_bytes(data)
        paths.append(path)
    return paths

