"""The wheel: one import root (liaison_graph), the page and its npm libraries inside it, and
a copy installed from it serves a working page on its own (not from this checkout)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = ["index.html", "app.js", "forms.js", "forms.css", "style.css", "node_modules/cytoscape/dist/cytoscape.min.js",
              "node_modules/echarts/dist/echarts.min.js", "node_modules/swagger-ui-dist/swagger-ui-bundle.js",
              "node_modules/swagger-ui-dist/swagger-ui.css"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out, source = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("source") / "liaison-graph"
    # Built from a clean copy: a build folder left in the checkout could carry stale files.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", ".hypothesis",
                                                                 ".pytest_cache", "__pycache__", "*.db*", "benchmarks"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                   check=True, capture_output=True, cwd=source)
    (path,) = out.glob("*.whl")
    return path


def test_the_wheel_installs_one_package_with_the_page_inside(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"liaison_graph"}, tops  # no top-level graph, api, loaders or cypher to shadow or be shadowed
    for name in PAGE_FILES:
        assert f"liaison_graph/web/{name}" in names, name
    assert "liaison_graph/graph/model.yaml" in names and "liaison_graph/cypher/has_roster.cypher" in names


def test_a_copy_installed_from_the_wheel_serves_the_page(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    script = textwrap.dedent(f"""
        import liaison_graph.api.app as app
        from pathlib import Path
        assert Path(app.__file__).resolve().is_relative_to(Path({str(target)!r}).resolve()), app.__file__
        from fastapi.testclient import TestClient
        from liaison_graph.api.service import Service
        from liaison_graph.graph.embedded import EmbeddedStore
        client = TestClient(app.serving_app(Service(EmbeddedStore({str(tmp_path / "s.db")!r}))))
        page = client.get("/")
        assert page.status_code == 200 and "cytoscape" in page.text, page.status_code
        for url in ("/static/app.js", "/static/forms.js", "/static/member.js", "/static/style.css",
                    "/vendor/cytoscape.min.js", "/vendor/echarts.min.js",
                    "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"):
            answer = client.get(url)
            assert answer.status_code == 200 and len(answer.content) > 1000, url
        docs = client.get("/docs")
        assert docs.status_code == 200 and "/docs/swagger-ui-bundle.js" in docs.text and "http" not in docs.text
        print("served")
    """)
    # The installed copy comes first on the path, and the run starts outside this checkout.
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "served" in done.stdout, done.stderr[-2000:]
