"""The README's set-up commands cannot drift: CI runs the second, this test runs the
product part of the first on the sample roster."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text, flags=re.S)[:2]


def test_readme_opens_with_two_setup_commands():
    first, second = readme_commands()
    assert "pip install -e ." in first and "liaison load samples/" in first
    assert "pip install -e '.[test]'" in second and "pytest" in second
    assert "\n" not in first and "\n" not in second


def test_ci_runs_the_readme_test_command():
    _, second = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second in ci.splitlines()


def test_readme_main_job_runs_on_the_sample(tmp_path):
    first, _ = readme_commands()
    steps = [s.strip() for s in first.split("&&") if s.strip().startswith("liaison ")]
    assert steps[0].startswith("liaison load samples/")
    outputs = []
    for step in steps:
        args = shlex.split(step)[1:]
        proc = subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "--db", str(tmp_path / "readme.db"), *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (step, proc.stderr)
        outputs.append(proc.stdout)
    assert "导入完成" in outputs[0]
    head, title = outputs[1].splitlines()[:2]
    assert head == f"政协：全库，溪山县政协（XS）　库：{tmp_path / 'readme.db'}"
    assert title.startswith("无党员委员联系的党外委员")
    proc = subprocess.run([sys.executable, "-m", "liaison_graph.api.cli", "--db", str(tmp_path / "readme.db"), "stats", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout)["members"] >= 150


def test_data_format_names_every_table_column_and_vocabulary_of_the_model():
    """docs/DATA-FORMAT.md cannot drift from the model: every table, column and vocabulary
    value is there in Chinese and English, and the README links it."""
    from liaison_graph.graph.model import model

    doc = (ROOT / "docs" / "DATA-FORMAT.md").read_text(encoding="utf-8")
    m = model()
    for table in m.tables.values():
        assert f"### {table.label}（`{table.name}`）" in doc, table.name
        section = doc.split(f"### {table.label}（`{table.name}`）", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        for alias in table.aliases:
            assert alias in section, (table.name, alias)
        for column in table.columns.values():
            assert f"| {column.label} | `{column.name}` | {'是 ' if column.required else ''}|" in section, \
                (table.name, column.name)
    for name, enum in m.enums.items():
        for code, label in enum.labels.items():
            assert f"{label}（`{code}`）" in doc, (name, code)
    assert "](docs/DATA-FORMAT.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
