"""The OpenAPI schema is usable as it is: a client generated from it by openapi-python-client
(nothing edited by hand) asks a gap list, pages through members, edits a member with the
ETag it read (If-Match) and uploads a roster file as binary, against the application."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from liaison_graph.api.app import create_app
from liaison_graph.api.service import Service

from tests.api_fixtures import A, build_city, open_world

pytest.importorskip("openapi_python_client")
DAY = "2026-06-30"


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    """The client package generated from the app's schema, importable."""
    folder = tmp_path_factory.mktemp("client")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(create_app(Service(store=None)).openapi(), ensure_ascii=False), encoding="utf-8")
    # The generator reads any binary answer it is told is one; a workbook, a CSV or a graph file is.
    binary = ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv",
              "application/graphml+xml", "application/gexf+xml"]
    config = folder / "config.json"
    config.write_text(json.dumps({"content_type_overrides": {t: "application/octet-stream" for t in binary}}))
    tool = Path(sys.executable).with_name("openapi-python-client")
    command = [str(tool)] if tool.exists() else [shutil.which("openapi-python-client") or "openapi-python-client"]
    done = subprocess.run([*command, "generate", "--path", str(spec), "--output-path", str(folder / "out"),
                           "--meta", "none", "--config", str(config)], capture_output=True, text=True, cwd=folder)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Warning" not in done.stdout + done.stderr, done.stdout[-3000:] + done.stderr[-3000:]
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("out")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == "out" or n.startswith("out.")]:
            del sys.modules[name]


@pytest.fixture
def world(tmp_path):
    (tmp_path / "city").mkdir()
    (tmp_path / "store").mkdir()
    w = open_world(build_city(tmp_path / "city"), tmp_path / "store")
    yield w
    w.close()


def client_for(package, world, who: str):
    """The generated client, its requests handed to the application in process."""
    http = TestClient(world.client.app, headers=world.headers(who), raise_server_exceptions=False)
    return package.AuthenticatedClient(base_url="http://testserver", token=world.tokens[who]).set_httpx_client(http)


def module(package, name: str):
    return importlib.import_module(f"{package.__name__}.{name}")


def test_the_generated_client_operation_ids_are_short(client_package):
    api = Path(client_package.__file__).parent / "api"
    names = [p.stem for p in api.rglob("*.py") if p.stem != "__init__"]
    assert "get_gaps" in names and "list_members" in names and "upload_roster" in names
    assert max(len(n) for n in names) <= 30, sorted(names, key=len)[-3:]
    models = Path(client_package.__file__).parent / "models"
    assert max(len(p.stem) for p in models.glob("*.py")) <= 40


def test_a_gap_list_through_the_generated_client(client_package, world):
    get_gaps = module(client_package, "api.queries.get_gaps")
    client = client_for(client_package, world, "a_viewer")
    import datetime

    answer = get_gaps.sync_detailed(client=client, rule="non-party-without-liaison",
                                    as_of=datetime.date(2026, 6, 30), committee_id=A)
    assert answer.status_code == 200
    gaps = answer.parsed
    expected = world.get("a_viewer", f"/api/v1/gaps/non-party-without-liaison?as_of={DAY}&committee_id={A}").json()
    assert gaps.count == expected["count"] == len(gaps.items) > 0
    assert [g.id for g in gaps.items] == [g["id"] for g in expected["items"]]


def test_a_paged_member_list_through_the_generated_client(client_package, world):
    list_members = module(client_package, "api.lookups.list_members")
    client = client_for(client_package, world, "a_viewer")
    first = list_members.sync(client=client, limit=5, offset=0)
    second = list_members.sync(client=client, limit=5, offset=5)
    assert first.total == second.total > 10 and len(first.items) == len(second.items) == 5
    assert not {m.id for m in first.items} & {m.id for m in second.items}
    member = first.items[0]
    raw = world.get("a_viewer", "/api/v1/members?limit=5").json()["items"][0]
    assert member.to_dict() == raw  # every field, the office's extra columns too


def test_an_edit_with_if_match_through_the_generated_client(client_package, world):
    get_member = module(client_package, "api.lookups.get_member")
    update_member = module(client_package, "api.edits.update_member")
    patch = module(client_package, "models.member_patch").MemberPatch
    client = client_for(client_package, world, "a_editor")
    member_id = world.get("a_editor", "/api/v1/members?limit=1").json()["items"][0]["id"]
    read = get_member.sync_detailed(client=client, member_id=member_id)
    assert read.status_code == 200 and read.headers["etag"] == f'"{read.parsed.etag}"'
    body = patch.from_dict({"township": "某镇"})
    stale = update_member.sync_detailed(client=client, member_id=member_id, body=body, if_match="stale")
    assert stale.status_code == 409 and stale.parsed.error.code == "conflict"
    done = update_member.sync_detailed(client=client, member_id=member_id, body=body, if_match=read.headers["etag"])
    assert done.status_code == 200 and done.parsed.ok and done.parsed.etag != read.parsed.etag
    again = get_member.sync(client=client, member_id=member_id)
    assert again.member.township == "某镇" and again.etag == done.parsed.etag


def test_an_upload_through_the_generated_client(client_package, world):
    upload_roster = module(client_package, "api.edits.upload_roster")
    form = module(client_package, "models.body_upload_roster").BodyUploadRoster
    types = importlib.import_module(f"{client_package.__name__}.types")
    client = client_for(client_package, world, "a_editor")
    rows = f"id,name,affiliation,committee_id,sector\nC01K01-M9201,甲,民盟,{A},民盟\nC01K01-M9202,乙,九三学社,{A},民盟\n"
    import io

    body = form(files=[types.File(payload=io.BytesIO(rows.encode("utf-8")), file_name="members.csv",
                                  mime_type="text/csv")])
    answer = upload_roster.sync_detailed(client=client, body=body)
    assert answer.status_code == 201, answer.content[:300]
    assert answer.parsed.created.to_dict() == {"Member": 2} or answer.parsed.created["Member"] == 2
    assert world.get("a_editor", "/api/v1/members/C01K01-M9201").json()["member"]["name"] == "甲"
