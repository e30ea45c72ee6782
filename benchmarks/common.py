"""What the benchmark scripts share: a generated roster loaded into a fresh embedded store."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate


def scale_arguments(description: str, **extra: int) -> argparse.Namespace:
    """--scale (default province) and --seed, and any integer options given as name=default."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", default="province", choices=["county", "city", "province"])
    parser.add_argument("--seed", type=int, default=1)
    for name, default in extra.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    return parser.parse_args()


def generated_store(scale: str, seed: int, folder: Path) -> Path:
    """Generate a roster of one scale into ``folder`` and load it into a new store file."""
    generate(scale, seed, folder / "roster", "csv")
    path = folder / "bench.db"
    with EmbeddedStore(path) as store:
        load_files(sorted((folder / "roster").glob("*.csv")), store)
    return path


def a_county(folder: Path) -> str:
    """The first county of a generated roster's committees (the first committee if none)."""
    with (folder / "committees.csv").open(encoding="utf-8-sig") as fh:
        ids = [r["id"] for r in csv.DictReader(fh)]
    return next((i for i in ids if "K" in i), ids[0])
