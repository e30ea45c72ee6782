"""What a store keeps derived from its roster, beside the roster, brought up to date inside
the transaction of every write that changes what it is derived from: a *projection*.

A store knows projections only through this interface. Which projections a store keeps is
decided above it, where the store is assembled (``graph/embedded.py``), so that a store
never imports the query engines a projection serves (the gap index serves the flagship
rules, the report columns the policy engine)."""

from __future__ import annotations

from collections.abc import Callable


class Projection:
    """One maintained projection. ``tables`` are its tables in the store's file: cleared
    with the roster and taken from a backup with it."""

    name: str = ""
    tables: tuple[str, ...] = ()

    def migrated(self, store, version: int) -> None:
        """Inside the transaction that took the file to schema ``version``: fill what the
        migration created from the data already there."""

    def written(self, store, batch, whole: bool) -> Callable[[], None] | None:
        """Inside a write's transaction, after its rows are in (``whole``: the batch was the
        whole file's first import): bring the projection's tables up to date. May return
        what to do once the write is committed (e.g. patch what is held in memory)."""
        return None

    def restored(self, store, backup_version: int) -> None:
        """Inside a restore's transaction, after the backup's tables (this projection's among
        them) are in and the change feed records the restore: make what the backup kept
        true of this file (the backup's roster was at version ``backup_version``)."""

    def settle(self) -> None:
        """Wait for whatever it still writes into the file in the background (the store
        closes only after it)."""

    def forget(self) -> None:
        """Drop whatever is held in memory (another connection wrote, or a restore)."""

    def follow(self, store, since: int) -> int | None:
        """Another connection has changed the roster since version ``since`` (the change
        feed's number when what is held was read): bring what is held up to the file as it is
        now, in one read of it, and give the version it now holds; None (the default): it is
        dropped instead."""
        return None
