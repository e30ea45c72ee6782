"""The served product: `liaison token` issues tokens that a real `liaison serve` process
honours, and 50 concurrent clients on loopback get every county gap answer right. The
test is bounded in count and time; the figures it prints are recorded in docs/benchmarks.md (the
full run is `python -m benchmarks.api_load`)."""

from __future__ import annotations

import json

import httpx

from liaison_graph.api.cli import main
from benchmarks.api_load import GAP_URL, free_port, prepared_store, run_load, serving


def cli(capsys, *args) -> list[str]:
    assert main(list(args)) == 0
    return capsys.readouterr().out.strip().splitlines()


def test_tokens_from_the_cli_work_on_a_served_store(tmp_path, capsys):
    db, viewer, _ = prepared_store(tmp_path)
    editor = cli(capsys, "--db", str(db), "token", "create", "--committee", "XS", "--role", "editor", "--name", "办公室")[-1]
    assert editor.startswith("lg_") and " " not in editor
    listed = json.loads(cli(capsys, "--db", str(db), "token", "list", "--format", "json")[-1])
    assert {t["role"] for t in listed} == {"viewer", "editor"} and all("secret" not in json.dumps(t) for t in listed)
    assert editor.split("_", 2)[2] not in db.read_bytes().decode("latin-1")  # only its hash is stored
    with serving(db, free_port()) as base:
        me = httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {editor}"}).json()
        assert me["role"] == "editor" and me["scope"] == ["XS"]
        assert httpx.get(base + GAP_URL).status_code == 401
        token_id = editor.split("_")[1]
        cli(capsys, "--db", str(db), "token", "revoke", token_id)  # another process writes; the server sees it
        assert httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {editor}"}).status_code == 401
        assert httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {viewer}"}).status_code == 200
    assert main(["--db", str(db), "token", "revoke", token_id]) == 1


def test_fifty_concurrent_clients_get_every_answer_right(tmp_path):
    db, token, expected = prepared_store(tmp_path)
    with serving(db, free_port()) as base:
        result = run_load(base, token, expected, clients=50, requests=1000, deadline=120)
    print("load:", json.dumps(result))
    assert result["requests"] == 1000 and result["failures"] == 0, result
