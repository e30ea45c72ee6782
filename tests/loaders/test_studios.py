"""Studios and stations (委员工作室、工作站、联络站、委员之家) as roster records: the studios
table, members in several of them by id or by name, a name of an older roster making a 工作室,
a party organisation working in one; both builds give the same batch, and a bad kind or
reference is refused naming its cell."""

from __future__ import annotations

import copy

import pytest
from liaison_graph.graph import fastpaths
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import InputError
from liaison_graph.loaders import frames, load_files, read_rows
from liaison_graph.loaders.build import build_batch

from tests.conftest import write_csvs, write_json

ROSTER = {
    "committees": [{"id": "XS", "name": "溪山县政协"}, {"id": "YL", "name": "云岭县政协"}],
    "studios": [{"id": "S1", "name": "城关联络站", "kind": "联络站", "committee_id": "XS", "township": "城关镇",
                 "convener_id": "M1", "start_date": "2024-01-01", "end_date": "2026-12-31"},
                {"id": "S2", "name": "溪山委员之家", "kind": "政协委员之家", "committee_id": "溪山县政协"},
                {"id": "S3", "name": "城关联络站", "kind": "liaison_station", "committee_id": "YL"}],
    "party_orgs": [{"id": "O1", "name": "机关党支部", "kind": "党支部", "committee_id": "XS", "studio_id": "S1"}],
    "members": [
        {"id": "M1", "name": "张三", "affiliation": "中共党员", "committee_id": "XS", "sector": "中共",
         "studio": "S1、溪山委员之家", "township": "城关镇"},
        {"id": "M2", "name": "李四", "affiliation": "民盟", "committee_id": "XS", "sector": "民盟",
         "studio": "城关联络站、老街工作室"},  # by name (of its committee: not YL's namesake), and one no studio has
        {"id": "M3", "name": "王五", "affiliation": "民建", "committee_id": "YL", "sector": "民建", "studio": "老街工作室"},
    ],
}


def _load(tmp_path, roster, name="s.db"):
    store = EmbeddedStore(tmp_path / name)
    load_files([write_json(tmp_path / f"{name}.json", roster)], store)
    return store


def test_a_studio_is_a_record_members_sit_in_by_id_or_by_name(tmp_path):
    with _load(tmp_path, ROSTER) as store:
        dump = store.dump()
    nodes = {nid: p for (kind, nid), p in dump["nodes"].items() if kind == "Studio"}
    assert {nid: p["kind"] for nid, p in nodes.items()} == {
        "S1": "liaison_station", "S2": "home", "S3": "liaison_station", "XS:老街工作室": "studio", "YL:老街工作室": "studio"}
    assert nodes["S1"]["township"] == "城关镇" and nodes["S2"]["committee_id"] == "XS"
    edges = {(src, kind, dst) for kind, _, src, _, dst, _ in dump["edges"]}
    assert {("M1", "AT_STUDIO", "S1"), ("M1", "AT_STUDIO", "S2"), ("M2", "AT_STUDIO", "S1"),
            ("M2", "AT_STUDIO", "XS:老街工作室"), ("M3", "AT_STUDIO", "YL:老街工作室"),
            ("O1", "ORG_AT_STUDIO", "S1"), ("S1", "CONVENED_BY", "M1"), ("S1", "PART_OF", "XS")} <= edges
    assert not {e for e in edges if e[1] == "AT_STUDIO" and e[2] == "S3"}


def test_an_older_roster_naming_a_studio_on_the_members_row_still_loads(tmp_path):
    old = {k: copy.deepcopy(ROSTER[k]) for k in ("committees", "members")}
    for m in old["members"]:
        m["studio"] = "名家工作室"
    with _load(tmp_path, old) as store:
        nodes = store.dump()["nodes"]
    assert nodes[("Studio", "XS:名家工作室")] == {"id": "XS:名家工作室", "name": "名家工作室", "committee_id": "XS",
                                                "kind": "studio"}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_column_build_is_the_row_build(tmp_path, monkeypatch, fmt):
    """With every studio named by id, or by a name no studio has, the import is built as
    columns, and that batch is the row build's."""
    roster = copy.deepcopy(ROSTER)
    roster["members"][0]["studio"] = "S1、S2"
    roster["members"][1]["studio"] = "S1、老街工作室"
    roster["studios"][1]["committee_id"] = "XS"
    monkeypatch.setattr(fastpaths, "CLEAN_AS_COLUMNS_FROM", 0)
    paths = write_csvs(tmp_path / "csv", roster) if fmt == "csv" else [write_json(tmp_path / "r.json", roster)]
    with EmbeddedStore(tmp_path / "a.db") as store:
        by_rows = build_batch(read_rows(paths)[0], store)
        built = frames.build(read_rows(paths)[0], store)
    assert built is not None
    assert built.nodes == by_rows.nodes and list(built.nodes) == list(by_rows.nodes)
    assert sorted(map(repr, built.edges)) == sorted(map(repr, by_rows.edges))
    assert built.replace_row_edges == by_rows.replace_row_edges


@pytest.mark.parametrize("table, row, column, value, words", [
    ("studios", 0, "kind", "服务站", "无法识别的类型「服务站」"),
    ("studios", 0, "convener_id", "M9", "M9"),
    ("studios", 0, "committee_id", "NO", "NO"),
    ("party_orgs", 0, "studio_id", "没有的站", "没有的站"),
])
def test_a_bad_kind_or_reference_is_refused_naming_the_cell(tmp_path, table, row, column, value, words):
    roster = copy.deepcopy(ROSTER)
    roster[table][row][column] = value
    with EmbeddedStore(tmp_path / "bad.db") as store:
        with pytest.raises(InputError) as refused:
            load_files([write_json(tmp_path / "bad.json", roster)], store)
        assert not store.dump()["nodes"]
    message = str(refused.value)
    assert f"bad.json 工作表「{table}」 第1行 {column}列" in message and words in message
    assert "\n" not in message


def test_a_name_two_studios_have_is_refused_with_their_ids(tmp_path):
    roster = copy.deepcopy(ROSTER)
    roster["studios"][2]["committee_id"] = "XS"  # two 城关联络站 in 溪山
    with EmbeddedStore(tmp_path / "two.db") as store:
        with pytest.raises(InputError) as refused:
            load_files([write_json(tmp_path / "two.json", roster)], store)
    message = str(refused.value)
    assert "第2行 studio列" in message and "工作室" in message and "S1" in message and "S3" in message and "歧义" in message
