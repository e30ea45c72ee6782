"""The embedded default store, assembled: the SQLite storage (``graph/sqlite_store.py``)
with the two projections it maintains (``graph/projections.py``): the gap index and the
report columns. Storage and projections do not know each other's modules; this is where
they meet."""

from __future__ import annotations

from pathlib import Path

from liaison_graph.graph import columnar
from liaison_graph.graph.projections import GapIndex, ReportColumns
from liaison_graph.graph.sqlite_store import SqliteStore


class EmbeddedStore(SqliteStore):
    def __init__(self, path: str | Path, create: bool = True):
        super().__init__(path, create, projections=(GapIndex(), ReportColumns()))

    def columns(self) -> columnar.Columns:
        """The whole store as report columns (kept in the file and in memory)."""
        return self.projections["report_columns"].columns(self)
