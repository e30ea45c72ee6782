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
        proc = subprocess.run([sys.executable, "-m", "api.cli", "--db", str(tmp_path / "readme.db"), *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (step, proc.stderr)
        outputs.append(proc.stdout)
    assert "导入完成" in outputs[0]
    assert outputs[1].startswith("无党员委员联系的党外委员")
    proc = subprocess.run([sys.executable, "-m", "api.cli", "--db", str(tmp_path / "readme.db"), "stats", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout)["members"] >= 150
