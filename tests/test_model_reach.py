"""What the model alone decides: a roster column declared in graph/model.yaml travels end to
end — the blank template, loading, the store, the API's answers and the table exports —
without a line of code elsewhere. The product runs in a child process whose model has one
more column than the shipped one, so nothing else is changed for the test."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent('''
    import csv, io, json, sys
    from functools import cache
    from importlib import resources
    from pathlib import Path

    import yaml

    import liaison_graph.graph.model as model_module
    from liaison_graph.graph.model_build import build_model

    doc = yaml.safe_load(resources.files("liaison_graph.graph").joinpath("model.yaml").read_text(encoding="utf-8"))
    if sys.argv[2] == "with":
        doc["tables"]["members"]["columns"]["phone"] = {"label": "联系电话", "type": "str"}
    model_module.model = cache(lambda: build_model(doc))

    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    from liaison_graph.api.app import create_app
    from liaison_graph.api.auth import create_token
    from liaison_graph.api.service import Service
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.loaders import load_files
    from liaison_graph.loaders.generate import generate
    from liaison_graph.loaders.template import write_template

    work = Path(sys.argv[1])
    generate("county", 1, work / "roster", "csv")
    members = work / "roster" / "members.csv"
    rows = list(csv.reader(members.open(encoding="utf-8-sig")))
    if "phone" not in rows[0]:  # the shipped model: an office's own column, kept as an extra
        rows[0].append("联系电话")
        for row in rows[1:]:
            row.append("")
    at = rows[0].index("phone") if "phone" in rows[0] else len(rows[0]) - 1
    for row in rows[1:]:
        row[at] = "0563-" + row[0][-4:]
    with members.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = {}
    write_template(work / "template.xlsx")
    sheet = load_workbook(work / "template.xlsx")["委员"]
    out["template"] = [c.value for row in sheet.iter_rows(max_row=5) for c in row if c.value]
    store = EmbeddedStore(work / "s.db")
    load_files(sorted((work / "roster").glob("*.csv")), store)
    member_id = rows[1][0]
    out["stored"] = store.node_props("Member", [member_id])[member_id]
    committee = out["stored"]["committee_id"]
    client = TestClient(create_app(Service(store)))
    headers = {"Authorization": "Bearer " + create_token(store, committee, "viewer", "看")[1]}
    out["api_member"] = client.get(f"/api/v1/members/{member_id}", headers=headers).json()["member"]
    out["api_list"] = client.get("/api/v1/members?limit=1", headers=headers).json()["items"][0]
    exported = client.get("/api/v1/export/tables/members?format=csv", headers=headers).content.decode("utf-8-sig")
    out["export_header"] = next(csv.reader(io.StringIO(exported)))
    print(json.dumps(out, ensure_ascii=False))
''')


def run(tmp_path: Path, which: str) -> dict:
    work = tmp_path / which
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", CHILD, str(work), which], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_column_declared_in_the_model_travels_end_to_end(tmp_path):
    declared, shipped = run(tmp_path, "with"), run(tmp_path, "without")
    assert any("联系电话" in str(v) for v in declared["template"])
    assert not any("联系电话" in str(v) for v in shipped["template"])
    assert declared["stored"]["phone"].startswith("0563-") and "phone" not in shipped["stored"]
    assert declared["api_member"]["phone"] == declared["stored"]["phone"]
    assert "phone" in declared["api_list"]
    # Declared, it is a column of the table (stored as `phone`, exported once under its label);
    # not declared, the office's own column is kept as an extra under its header.
    assert declared["export_header"].count("联系电话") == 1
    assert shipped["stored"].get("联系电话", "").startswith("0563-")
