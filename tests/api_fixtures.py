"""A city roster (a city and its counties) in an embedded store, with tokens, for the API
tests: county A (C01K01) and its neighbour B (C01K02) under the city C01."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from liaison_graph.api.app import serving_app
from liaison_graph.api.auth import create_token
from liaison_graph.api.service import Service
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate

CITY, A, B = "C01", "C01K01", "C01K02"
# Anything of the city or of county B: "C01" not followed by "K01".
LEAK = re.compile(r"C01(?!K01)")


@dataclass
class World:
    path: Path
    store: EmbeddedStore
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str, **extra) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def get(self, who: str, url: str, **kw):
        return self.client.get(url, headers=self.headers(who), **kw)

    def close(self) -> None:
        self.client.close()
        self.store.close()


def build_city(folder: Path) -> Path:
    """Generate and load the city roster once; tests copy the file."""
    roster = folder / "roster"
    generate("city", 1, roster, "csv")
    path = folder / "city.db"
    with EmbeddedStore(path) as store:
        load_files(sorted(roster.glob("*.csv")), store)
    return path


def open_world(template: Path, folder: Path) -> World:
    path = folder / "store.db"
    shutil.copy(template, path)
    store = EmbeddedStore(path)
    world = World(path, store, TestClient(serving_app(Service(store, max_upload_bytes=200_000)), raise_server_exceptions=False))
    for who, committee, role in (("city_admin", CITY, "admin"), ("a_viewer", A, "viewer"), ("a_editor", A, "editor"),
                                 ("a_admin", A, "admin"), ("b_viewer", B, "viewer")):
        world.tokens[who] = create_token(store, committee, role, who)[1]
    return world
