"""`liaison export --neo4j-admin DIR`: the files `neo4j-admin database import full` takes.

No Neo4j runs here, so the import's work is done a second time in this file, from the header
rules of the import tool (Neo4j 5 operations manual, "Import header format" and the options of
`import full`): each `--nodes=`/`--relationships=` argument of the printed command names a
header file and a data file; a field is `<name>:<type>`, `ID(<group>)`, `LABEL`,
`START_ID(<group>)`, `END_ID(<group>)` or `TYPE`; an array is split on `--array-delimiter`; an
empty field without quotes is no property, a quoted one an empty text; a doubled quote is one
quote. What that reading gives must be the Bolt store's own dump after `liaison load --neo4j`
of the same roster, every property under its name with its type."""

from __future__ import annotations

import copy
import csv
import io
import shlex
from pathlib import Path

import pytest
from liaison_graph.api import neo4j_admin
from liaison_graph.api.cli import main
from liaison_graph.cypher import query
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.errors import BadArgument
from liaison_graph.graph.model import model

from tests.conftest import EDGE_ROSTER, open_backend, write_json

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "xishan-county.xlsx"
# The property types of the import tool's header (arrays: any of them followed by []).
IMPORT_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point", "date",
                "localtime", "time", "localdatetime", "datetime", "duration"}
ABSENT = object()


def every_kind_roster() -> dict:
    """The edge roster with what it lacks for every node kind and every relationship of the
    model (activity groups, studios and a station with its convener and a branch in it, an
    activity, a liaison to each kind of target, a contact with the masses), and text
    the CSV must carry as it is: quotes, commas, line breaks, the array delimiter in a text."""
    roster = copy.deepcopy(EDGE_ROSTER)
    a1, a2, b1 = roster["members"][0], roster["members"][1], roster["members"][7]
    a1.update(activity_group="第一组", studio="溪山工作室", special_committees=["提案委员会", "经济委员会"])
    a2.update(activity_group="第一组", special_committees=["提案委员会"], 备注='他说："好的"，\n下次再谈; 见"纪要"')
    b1["备注"] = ""  # an empty cell: no property
    roster["activities"] = [{"id": "X1", "name": "委员培训班", "committee_id": "C1", "kind": "培训",
                             "start_date": "2026-06-01", "end_date": "2026-06-07", "member_ids": ["A1", "A2", "B1"]}]
    roster["liaisons"] += [
        {"from_id": "A1", "target_kind": "委员活动组", "to": "第一组", "mechanism": "联系活动组"},
        {"from_id": "A1", "target_kind": "专委会", "to": "提案委员会", "mechanism": "联系专委会"},
        {"from_id": "A2", "target_kind": "党组织", "to": "O2", "mechanism": "联系党支部"},
    ]
    roster["contacts"].append({"from_id": "A3", "to_id": "B5", "date": "2026-04-02", "mode": "走访",
                               "summary": '第一行，"引号",逗号\r\n第二行'})
    roster["masses_contacts"] = [{"from_id": "A1", "person": "李群", "unit": "社区居民", "date": "2026-04-03", "mode": "座谈"}]
    # a station of the studios table, with its convener, and a branch working in it (党建进工作站)
    roster["studios"] = [{"id": "S1", "name": "城关联络站", "kind": "联络站", "committee_id": "C1", "township": "城关镇",
                          "convener_id": "A1"}]
    a2["studio"] = "S1"
    roster["party_orgs"][1]["studio_id"] = "S1"
    return roster


def model_groups() -> set[tuple[str, str, str]]:
    return {(e.name, s, t) for e in model().edges.values() for s in e.sources for t in e.targets}


# --- the import's job, done again ---------------------------------------------------------------

def quoted_fields(text: str) -> list[list[tuple[str, bool]]]:
    """Each record's fields and whether each stood in quotes (RFC 4180, as the import reads it:
    a doubled quote inside quotes is one quote; line breaks only inside quotes)."""
    assert text.endswith("\n")
    rows, row, i = [], [], 0
    while i < len(text):
        if text[i] == '"':
            parts, j = [], i + 1
            while True:
                k = text.index('"', j)
                parts.append(text[j:k])
                if text[k + 1:k + 2] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            row.append(("".join(parts), True))
        else:
            k = i
            while text[k] not in ",\n":
                k += 1
            row.append((text[i:k], False))
            i = k
        if text[i] == "\n":
            rows.append(row)
            row = []
        i += 1
    return rows


def records(path: Path) -> list[list[tuple[str, bool]]]:
    """A file's records, read by the csv module and by ``quoted_fields``, which must agree on
    every value (the csv module cannot tell an empty field from an empty text)."""
    with open(path, encoding="utf-8", newline="") as f:  # line breaks as written
        text = f.read()
    by_csv = list(csv.reader(io.StringIO(text, newline="")))
    fields = quoted_fields(text)
    assert [[v for v, _ in row] for row in fields] == by_csv, path.name
    return fields


def parse_header(field: str) -> tuple[str, str]:
    """(name, type) of a header field; a field without a type is a string."""
    name, sep, kind = field.rpartition(":")
    return (name, kind) if sep else (field, "string")


def value_of(text: str, quoted: bool, kind: str, delimiter: str):
    if text == "" and not quoted:
        return ABSENT
    if kind.endswith("[]"):
        return [value_of(item, True, kind[:-2], delimiter) for item in text.split(delimiter)]
    if kind == "boolean":
        return text == "true"
    if kind in ("long", "int", "short", "byte"):
        return int(text)
    if kind in ("double", "float"):
        return float(text)
    assert kind == "string", kind
    return text


def printed_command(out: str) -> list[str]:
    lines = [line for line in out.splitlines() if line.startswith("neo4j-admin database import full ")]
    assert len(lines) == 1, out
    return shlex.split(lines[0])


def import_job(args: list[str]) -> dict:
    """What `neo4j-admin database import full` would build from the command's files, as
    ``Store.dump`` keys it: nodes by (label, id), relationships by (type, start label, start
    id, end label, end id, key), each with its properties."""
    options = [a.split("=", 1) for a in args if a.startswith("--")]
    delimiter = dict(options)["--array-delimiter"]
    nodes, groups, edges = {}, {}, {}
    for option, files in sorted(options, key=lambda o: o[0] != "--nodes"):  # nodes first
        if option not in ("--nodes", "--relationships"):
            continue
        header_file, data_file = (Path(p) for p in files.split(","))
        header = [parse_header(v) for v, _ in records(header_file)[0]]
        for row in records(data_file):
            assert len(row) == len(header), data_file.name
            props, special = {}, {}
            for (name, kind), (text, quoted) in zip(header, row):
                if kind.split("(")[0] in ("ID", "LABEL", "START_ID", "END_ID", "TYPE"):
                    special[kind.split("(")[0]] = (name, kind, text)
                    continue
                value = value_of(text, quoted, kind, delimiter)
                if value is not ABSENT:
                    props[name] = value
            if option == "--nodes":
                name, kind, node_id = special["ID"]
                group = kind[3:-1]
                (label,) = special["LABEL"][2].split(delimiter)
                assert node_id not in groups.setdefault(group, {}), ("an id twice in its group", group, node_id)
                groups[group][node_id] = label
                nodes[(label, node_id)] = {**props, name: node_id}  # --id-type=string
            else:
                start, end = (special[k][1].split("(")[1][:-1] for k in ("START_ID", "END_ID"))
                src, dst = special["START_ID"][2], special["END_ID"][2]
                key = props.pop("key")  # the Bolt store gives every relationship its key
                identity = (special["TYPE"][2], groups[start][src], src, groups[end][dst], dst, key)
                assert identity not in edges, identity
                edges[identity] = props
    return {"nodes": nodes, "edges": edges}


# --- the command and its files ---------------------------------------------------------------

def export(capsys, directory: Path, *store_args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*store_args, "export", "--neo4j-admin", str(directory)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def bolt_args(server) -> list[str]:
    return ["--neo4j", server.uri, "--neo4j-user", "root", "--neo4j-database", server.database]


@pytest.fixture(scope="module")
def embedded_export(tmp_path_factory):
    """The every-kind roster in an embedded store, exported: (store file, folder, printed text)."""
    tmp = tmp_path_factory.mktemp("export")
    db = tmp / "e.db"
    assert main(["--db", str(db), "load", str(write_json(tmp / "r.json", every_kind_roster()))]) == 0
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        assert main(["--db", str(db), "export", "--neo4j-admin", str(tmp / "out")]) == 0
    return db, tmp / "out", out.getvalue()


# --- (1) the header format ----------------------------------------------------------------------

def test_every_header_is_the_import_format_with_the_bolt_stores_labels_and_types(embedded_export):
    out = embedded_export[2]
    args = printed_command(out)
    node_groups, rel_groups = set(), set()
    for option, files in (a.split("=", 1) for a in args if a.startswith(("--nodes=", "--relationships="))):
        header_file, data_file = (Path(p) for p in files.split(","))
        header = [parse_header(v) for v, _ in records(header_file)[0]]
        special = [(n, k) for n, k in header if k.split("(")[0] in ("ID", "LABEL", "START_ID", "END_ID", "TYPE")]
        for name, kind in header:
            if (name, kind) not in special:
                assert kind.removesuffix("[]") in IMPORT_TYPES, (header_file.name, name, kind)
        rows = records(data_file)
        assert rows
        if option == "--nodes":
            (name, id_kind), label_field = special
            group = id_kind.removeprefix("ID(").removesuffix(")")
            assert (name, id_kind, label_field) == ("id", f"ID({group})", ("", "LABEL"))  # the id a string property
            labels = {row[header.index(("", "LABEL"))][0] for row in rows}
            assert labels == {group}  # one ID space per kind, named as its label
            assert f"(n:`{group}`)" in query("create_nodes", kind=group)  # the label the Bolt store creates
            node_groups.add(group)
        else:
            kinds = {k.split("(")[0]: k for _, k in special}
            assert set(kinds) == {"START_ID", "END_ID", "TYPE"} and ("key", "string") in header
            start, end = (kinds[k].split("(")[1].removesuffix(")") for k in ("START_ID", "END_ID"))
            types = {row[[k for _, k in header].index("TYPE")][0] for row in rows}
            assert len(types) == 1
            rel = types.pop()
            text = query("create_edges", rel=rel, src=start, dst=end)  # as the Bolt store writes them
            assert f"(a:`{start}` {{id: row.src}})" in text and f"[r:`{rel}`]" in text
            assert f"(b:`{end}` {{id: row.dst}})" in text
            rel_groups.add((rel, start, end))
    assert node_groups == set(model().nodes)  # every node kind of the model
    assert rel_groups == model_groups()  # every relationship kind between every pair of kinds it joins
    assert {g for _, s, t in rel_groups for g in (s, t)} <= node_groups  # START_ID/END_ID name node groups
    assert "--id-type=string" in args and "--multiline-fields=true" in args  # the roster has line breaks


# --- (2) the import's result is the Bolt store's dump ------------------------------------------

@pytest.mark.bolt
def test_what_the_import_would_build_is_the_bolt_stores_dump(bolt_server, embedded_export, tmp_path, capsys,
                                                           monkeypatch):
    """The sample and the every-kind roster loaded through `liaison load --neo4j`; the files
    exported from that Bolt store, and from an embedded store loaded alike, read back by the
    import's rules, are the Bolt store's dump: each node, label, relationship, key and
    property, with its type, the text with quotes, commas, line breaks and `;` as it was."""
    monkeypatch.setenv("LIAISON_NEO4J_PASSWORD", bolt_server.password)
    roster = write_json(tmp_path / "r.json", every_kind_roster())
    with open_backend("bolt", tmp_path):  # an empty graph
        pass
    assert main([*bolt_args(bolt_server), "load", str(SAMPLE), str(roster)]) == 0
    db = tmp_path / "e.db"
    assert main(["--db", str(db), "load", str(SAMPLE), str(roster)]) == 0
    with open_backend("bolt", tmp_path, fresh=False) as bolt:
        stored = bolt.dump()
    assert any("\n" in str(p.get("备注", "")) for p in stored["nodes"].values())
    assert any(k[-1] == "" for k in stored["edges"]) and any(isinstance(v, bool) for p in stored["nodes"].values()
                                                            for v in p.values())
    for name, store_args in (("bolt", bolt_args(bolt_server)), ("embedded", ["--db", str(db)])):
        code, out, err = export(capsys, tmp_path / name, *store_args)
        assert code == 0, err
        built = import_job(printed_command(out))
        assert built["nodes"] == stored["nodes"], name
        assert built["edges"] == stored["edges"], name
        for (kind, node_id), props in stored["nodes"].items():  # the types too (True == 1 in Python)
            assert {k: type(v) for k, v in built["nodes"][(kind, node_id)].items()} == \
                   {k: type(v) for k, v in props.items()}, (kind, node_id)


def test_the_embedded_export_reads_back_as_the_embedded_dump(embedded_export):
    db, _, out = embedded_export
    with EmbeddedStore(db) as store:
        assert import_job(printed_command(out)) == store.dump()


# --- what the import cannot give back: refused, nothing written --------------------------------

def test_a_list_item_holding_the_array_delimiter_is_refused_naming_the_member_and_field(tmp_path, capsys):
    roster = copy.deepcopy(EDGE_ROSTER)
    roster["members"][0]["special_committees"] = ["经济;委员会", "提案委员会"]  # a JSON list is not split
    db = tmp_path / "e.db"
    assert main(["--db", str(db), "load", str(write_json(tmp_path / "r.json", roster))]) == 0
    code, out, err = export(capsys, tmp_path / "out", "--db", str(db))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("错误：委员 A1 的字段「special_committees」")
    assert "数组分隔符「;」" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("props, field, why", [
    ({"special_committees": []}, "special_committees", "空列表"),  # the import stores no empty array
    ({"special_committees": ["a", ""]}, "special_committees", "为空"),
    ({"party_org_ids": ["O1;O2"]}, "party_org_ids", "数组分隔符"),
    ({"note:x": "a"}, "note:x", "冒号"),  # the header's name/type separator
    ({"seq": [1, "2"]}, "seq", "混合类型"),
])
def test_what_the_import_cannot_give_back_is_refused_before_anything_is_written(tmp_path, props, field, why):
    dump = {"nodes": {("Member", "M1"): {"id": "M1", "name": "甲"},
                      ("Member", "M2"): {"id": "M2", "name": "乙", **props}},
            "edges": {}}
    with pytest.raises(BadArgument) as refused:
        neo4j_admin.write(dump, tmp_path / "out")
    assert refused.value.message.startswith("委员 M2 的字段") and field in refused.value.message
    assert why in refused.value.message
    assert "\n" not in refused.value.message
    assert not (tmp_path / "out").exists()


def test_a_property_of_two_types_within_a_kind_is_refused(tmp_path):
    dump = {"nodes": {}, "edges": {
        ("CONTACTED", "Member", "M1", "Member", "M2", "k1"): {"date": "2026-01-01"},
        ("CONTACTED", "Member", "M1", "Member", "M3", "k2"): {"date": 20260101}}}
    with pytest.raises(BadArgument, match=r"联系记录（CONTACTED）M1→M\d 的字段「date」"):
        neo4j_admin.write(dump, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- (3) the command ------------------------------------------------------------------------------

def test_the_printed_command_names_every_file_written_and_the_options(tmp_path, capsys):
    db = tmp_path / "e.db"
    assert main(["--db", str(db), "load", str(SAMPLE)]) == 0
    (tmp_path / "empty").mkdir()  # an empty folder is taken as a new one is
    for folder in (tmp_path / "new" / "deeper", tmp_path / "empty"):
        code, out, err = export(capsys, folder, "--db", str(db))
        assert code == 0 and err == ""
        args = printed_command(out)
        assert args[:4] == ["neo4j-admin", "database", "import", "full"] and args[-1] == "neo4j"
        assert "--id-type=string" in args and "--array-delimiter=;" in args
        assert "--multiline-fields=true" not in args  # the sample has no line break: the fast way
        named = [Path(p) for a in args if a.startswith(("--nodes=", "--relationships="))
                 for p in a.split("=", 1)[1].split(",")]
        assert sorted(named) == sorted(folder.iterdir()) and len(named) == len(set(named))
        assert all(p.is_absolute() for p in named)
        assert "liaison neo4j init" in out
        with EmbeddedStore(db) as store:
            assert import_job(args) == store.dump()


def test_a_folder_that_is_not_empty_or_cannot_be_written_is_refused_and_nothing_written(tmp_path, capsys):
    db = tmp_path / "e.db"
    assert main(["--db", str(db), "load", str(write_json(tmp_path / "r.json", EDGE_ROSTER))]) == 0
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    code, out, err = export(capsys, full, "--db", str(db))
    assert code == 1 and out == "" and err.count("\n") == 1 and "不是空的" in err and str(full) in err
    assert [p.name for p in full.iterdir()] == ["keep.txt"]
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for target, words in ((a_file, "不是目录"), (a_file / "out", "无法创建导出目录"),
                          (tmp_path / "导出(省)", "正则表达式")):
        code, out, err = export(capsys, target, "--db", str(db))
        assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("错误：") and words in err, err
        assert not (tmp_path / "导出(省)").exists() and a_file.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "e.db", "full", "r.json"]
