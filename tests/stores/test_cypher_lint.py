"""Every statement the Bolt store can send, linted by Neo4j's own Cypher front end
(``@neo4j-cypher/language-support``, installed by ``npm ci --prefix tests/node``) in Cypher 5
and Cypher 25: no error, no warning (a deprecation is a warning).

Each ``cypher/*.cypher`` file is rendered as the store renders it: its label placeholders
filled with kinds of the model that the model allows there (the first such combination; a
label is a backticked name and the front end, given no schema, checks nothing more of it),
and each ``$parameter`` declared. That the linter does report what it must is checked first
on statements known to be wrong."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from liaison_graph.cypher import PLACEHOLDER, catalog, query
from liaison_graph.graph.model import model

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
VERSIONS = "5,25"


def rendered(name: str, text: str) -> str:
    """The file as the store sends it, with kinds the model allows in its placeholders."""
    slots = set(PLACEHOLDER.findall(text))
    if "rel" in slots:
        rel, shape = next((k, e) for k, e in sorted(model().edges.items()))
        names = {"rel": rel, "src": shape.sources[0], "dst": shape.targets[0], "kind": shape.sources[0]}
    else:
        names = dict.fromkeys(("kind", "src", "dst"), sorted(model().nodes)[0])
    return query(name, **{slot: names[slot] for slot in slots})


def lint(statements: dict[str, str]) -> dict[tuple[str, str], list[dict]]:
    assert (NODE_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir(), \
        "run: npm ci --prefix tests/node"
    given = [{"name": name, "text": text, "parameters": dict.fromkeys(PARAMETER.findall(text))}
             for name, text in statements.items()]
    done = subprocess.run(["node", str(NODE_DIR / "lint-cypher.js"), VERSIONS], input=json.dumps(given),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return {(r["name"], r["version"]): r["diagnostics"] for r in json.loads(done.stdout)}


def test_the_linter_reports_an_error_and_a_deprecation():
    found = lint({"error": "MATCH (n) RETRN n", "deprecated": "MATCH (n) WHERE n.id = $id RETURN id(n)",
                  "clean": "MATCH (n) WHERE n.id = $id RETURN elementId(n)"})
    for version in VERSIONS.split(","):
        assert found[("error", version)] and all(d["severity"] == 1 for d in found[("error", version)])
        assert any(d["severity"] == 2 and "deprecated" in d["message"] for d in found[("deprecated", version)])
        assert found[("clean", version)] == []


@pytest.mark.parametrize("version", VERSIONS.split(","))
def test_every_statement_the_bolt_store_sends_lints_clean(version, linted):
    assert len({name for name, _ in linted}) == len(catalog())
    dirty = {name: found for (name, v), found in linted.items() if v == version and found}
    assert not dirty, dirty


@pytest.fixture(scope="module")
def linted():
    return lint({name: rendered(name, text) for name, text in sorted(catalog().items())})
