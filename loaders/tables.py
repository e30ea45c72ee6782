"""One table's clean rows from every sheet of an import, as the cleaning paths give them and
the builds take them: rows of the cell path (loaders.validate) and columns of the bulk path
(loaders.bulk.SheetRows) side by side, read as one sequence of rows (loaders.build) or as
one frame (loaders.frames).

Nothing here loads the column engine until a frame is asked for: a load of small files
never does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING

from liaison_graph.graph.model_types import Table
from liaison_graph.loaders.validate import Row

if TYPE_CHECKING:
    import polars as pl

    from liaison_graph.loaders.bulk import SheetRows

EXTRA = "extra:"  # prefix of the frame's column holding an extra header's texts


class TableRows(Sequence):
    """One table's clean rows from every sheet of an import. Sheets read in bulk stay
    columns until a row is asked for; the others are lists of rows."""

    def __init__(self) -> None:
        self.parts: list[SheetRows | list[Row]] = []
        self._rows: list[Row] | None = None
        self._frame: pl.DataFrame | None = None

    def add(self, part: SheetRows | list[Row]) -> None:
        self.parts.append(part)
        self._rows = self._frame = None

    def __len__(self) -> int:
        return sum(map(len, self.parts))

    def __iter__(self) -> Iterator[Row]:
        return chain.from_iterable(p if isinstance(p, list) else p.rows() for p in self.parts)

    def __getitem__(self, index):
        if self._rows is None:
            self._rows = list(self)
        return self._rows[index]

    def in_bulk(self) -> bool:
        """Whether every sheet of the table was read in bulk."""
        return not any(isinstance(p, list) for p in self.parts)

    def keys_distinct(self, table: Table) -> bool:
        """Whether no two rows share the table's key: on the columns when every sheet was
        read in bulk, else over the rows' values (every row holds every column)."""
        if not self.parts:
            return True
        if self.in_bulk():
            return not self.frame(table).select(table.key).is_duplicated().any()
        keys = list(map(itemgetter(*table.key), (row.values for row in self)))
        return len(set(keys)) == len(keys)

    def frame(self, table: Table) -> pl.DataFrame:
        """The clean rows as one frame: a column per column of the table (text, or a list
        of texts), then a column per extra header (named EXTRA + header)."""
        if self._frame is None:
            self._frame = self._make_frame(table)
        return self._frame

    def _make_frame(self, table: Table) -> pl.DataFrame:
        import polars as pl  # the column engine, loaded when a frame is first asked for

        frames = []
        for part in self.parts:
            if isinstance(part, list):
                frames.append(_rows_frame(table, part))
            else:
                columns, headers = part.columns()
                names = table.value_names
                frames.append(columns.rename({old: EXTRA + header for old, header
                                              in zip(columns.columns[len(names):], headers)}))
        return pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]


def _rows_frame(table: Table, rows: list[Row]) -> pl.DataFrame:
    import polars as pl

    schema = {name: pl.List(pl.String) if column.is_list else pl.String for name, column in table.columns.items()}
    schema.update(dict.fromkeys(table.flags, pl.Boolean))
    data = {name: [row.values.get(name) for row in rows] for name in table.value_names}
    for header in dict.fromkeys(h for row in rows for h in row.extra):
        schema[EXTRA + header] = pl.String
        data[EXTRA + header] = [row.extra.get(header) for row in rows]
    return pl.DataFrame(data, schema=schema)
