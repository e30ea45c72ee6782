"""The documents cannot drift from the product. The README's set-up commands: CI runs the
second, this test runs the product part of the first on the sample roster. The README names
every command, API route and built-in policy; docs/ARCHITECTURE.md names every module, the
tests and thresholds of its fast paths, and its layers hold; links between documents resolve."""

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


# --- the README and docs/ name what the product has: a command, a route, a policy or a module
# added without its place in the documents fails here -------------------------------------------

CELL = re.compile(r"(?<!\\)\|")  # a table's cell border (a pipe inside a cell is written \|)
SPAN = re.compile(r"`([^`]+)`")


def section(text: str, title: str) -> str:
    """The body of the `## title` section of a Markdown text."""
    head = f"\n## {title}\n"
    assert head in text, f"no section “{title}”"
    return text.split(head, 1)[1].split("\n## ", 1)[0]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every table row in ``text`` (header and rule rows included)."""
    return [[c.strip() for c in CELL.split(line)[1:-1]] for line in text.splitlines() if line.startswith("|")]


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def documented_commands(text: str) -> set[tuple[str, ...]]:
    """The commands the README's command table names in its first column: `liaison load FILE...`
    names load, `liaison token create\\|list\\|revoke` names token create, list and revoke."""
    found = set()
    for cells in table_rows(section(text, "Commands")):
        for span in SPAN.findall(cells[0]):
            words = span.split()
            if len(words) < 2 or words[0] != "liaison":
                continue
            subs = words[2].split("\\|") if len(words) > 2 and not words[2].startswith(("-", "[")) else []
            found.add((words[1],))
            found.update((words[1], sub) for sub in subs)
    return found


def test_the_readme_names_every_command():
    import click
    from liaison_graph.api.cli import cli

    def leaves(group: click.Group, prefix=()):
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from leaves(command, (*prefix, name))
            else:
                yield (*prefix, name)

    commands = set(leaves(cli))
    assert len(commands) > 15
    missing = commands - documented_commands(readme())
    assert not missing, f"commands missing from the README's command table: {sorted(missing)}"


API = "/api/v1/"


def route_key(method: str, path: str) -> tuple[str, str]:
    """A route as the endpoint table writes it: relative to /api/v1, any {placeholder} alike
    (`members/{id}` is `members/{member_id}`), no query string."""
    return method.upper(), re.sub(r"\{[^}]*\}", "{}", path.split("?", 1)[0]).strip("/")


def documented_routes(text: str) -> set[tuple[str, str]]:
    """(method, path) of every code span in the endpoint table; a span without a method is a GET."""
    body = section(text, "The HTTP service")
    rows = table_rows(body)
    start = next(i for i, cells in enumerate(rows) if "endpoints" in cells[-1])
    found = set()
    for cells in rows[start + 2:]:
        for span in SPAN.findall(cells[-1]):
            m = re.match(r"(?:(GET|POST|PATCH|PUT|DELETE) )?(\S+)", span)
            found.add(route_key(m[1] or "GET", m[2]))
    return found


def test_the_readme_endpoint_table_names_every_api_route():
    from liaison_graph.api.app import create_app
    from liaison_graph.api.service import Service

    paths = create_app(Service(store=None)).openapi()["paths"]
    routes = {route_key(method, path[len(API):]) for path, ops in paths.items() if path.startswith(API)
              for method in ops}
    assert len(routes) > 30
    missing = routes - documented_routes(readme())
    assert not missing, f"routes missing from the README's endpoint table: {sorted(missing)}"


def test_every_builtin_policy_is_offered_by_the_files_alone():
    """A built-in policy is one file in graph/policies/: `liaison policies` lists it, with
    its Chinese label, where it comes from and its rules; `--policy` names it in its help;
    the README sends people to that list instead of copying it."""
    from click.testing import CliRunner

    from liaison_graph.api.cli import cli
    from liaison_graph.graph.policy import builtin

    files = sorted(p.stem for p in (ROOT / "graph" / "policies").glob("*.yaml"))
    policies = builtin()
    assert sorted(policies) == files and len(files) >= 6
    listed = CliRunner().invoke(cli, ["policies"]).output
    helped = " ".join(CliRunner().invoke(cli, ["coverage", "--help"]).output.split())
    for name, policy in policies.items():
        assert name in listed and policy.label in listed and policy.label in helped, name
        assert all(rule.label in listed for rule in policy.rules), name
    section_text = section(readme(), "Liaison systems (policies)")
    assert "`liaison policies`" in section_text and "graph/policies/" in section_text


def modules() -> list[str]:
    """Every module file of the product's Python folders, as `folder/file.py`; an __init__.py
    counts when it holds more than a docstring."""
    import ast

    found = []
    for folder in ("graph", "api", "loaders", "cypher"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "__init__.py":
                body = ast.parse(path.read_text(encoding="utf-8")).body
                if all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body):
                    continue
            found.append(path.relative_to(ROOT).as_posix())
    return found


def architecture() -> str:
    return (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_the_architecture_names_every_module():
    doc = architecture()
    found = modules()
    assert "graph/store.py" in found and "loaders/__init__.py" in found and "api/routes/edits.py" in found
    missing = [m for m in found if not re.search(rf"(?<![\w/]){re.escape(m)}(?!\w)", doc)]
    assert not missing, f"modules without a place in docs/ARCHITECTURE.md: {missing}"


def imports_of(path: Path) -> set[str]:
    """The product's folders a module imports from (graph, loaders, api, cypher)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "liaison_graph" and len(parts) > 1:
                found.add(parts[1])
    return found


CYPHER_READERS = ("graph/bolt_storage.py", "graph/bolt_writes.py")


def test_the_layers_are_as_the_architecture_draws_them():
    """graph/ imports nothing from loaders/ or api/, and only the Bolt storage (graph/bolt_storage.py
    and its writes, graph/bolt_writes.py) reads cypher/;
    loaders/ never imports api/ (docs/ARCHITECTURE.md, “The arrows”)."""
    wrong = []
    for module in modules():
        folder, used = module.split("/", 1)[0], imports_of(ROOT / module)
        if folder == "graph" and (used & {"loaders", "api"} or ("cypher" in used and module not in CYPHER_READERS)):
            wrong.append((module, sorted(used)))
        if folder == "loaders" and "api" in used:
            wrong.append((module, sorted(used)))
        if module.startswith("api/verbs/"):  # the verbs know neither HTTP nor the command line
            text = (ROOT / module).read_text(encoding="utf-8")
            if re.search(r"^\s*(from|import) (fastapi|starlette|click)\b|liaison_graph\.api\.(routes|commands|cli)\b",
                         text, flags=re.MULTILINE):
                wrong.append((module, "imports HTTP or the command line"))
    assert not wrong, wrong


# The floor of the house: the model, and the stores' storage. Each of these imports only
# others of them; the query engines and the projections sit above (docs/ARCHITECTURE.md).
FLOOR = ("graph/errors.py", "graph/fastpaths.py", "graph/jsontext.py", "graph/natural.py", "graph/model.py",
         "graph/model_types.py", "graph/model_build.py", "graph/store.py", "graph/batch.py", "graph/parts.py",
         "graph/projection.py",
         "graph/bolt_storage.py", "graph/bolt_schema.py", "graph/bolt_causal.py", "graph/bolt_access.py", "graph/bolt_parts.py",
         "graph/bolt_tables.py", "graph/bolt_writes.py",
         "graph/sqlite_*.py", "graph/lookups.py", "graph/bolt_lookups.py",
         "cypher/__init__.py")


def product_modules_imported(path: Path) -> set[str]:
    """The product's modules a module imports, as paths (``graph/store.py``), wherever the
    import stands (at the top or inside a function)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("liaison_graph."):
            base = node.module.split(".")[1:]
            for alias in node.names:
                for candidate in ("/".join(base + [alias.name]) + ".py", "/".join(base) + ".py",
                                  "/".join(base) + "/__init__.py"):
                    if (ROOT / candidate).exists():
                        found.add(candidate)
                        break
    return found


def test_no_store_module_imports_a_query_engine():
    """The model and the stores' storage import only each other: a store never imports the
    policy engine, the projections or the questions (they are handed to it from above)."""
    floor = {str(p.relative_to(ROOT)) for pattern in FLOOR for p in ROOT.glob(pattern)}
    assert {"graph/store.py", "graph/sqlite_store.py", "graph/bolt_storage.py"} <= floor
    wrong = {module: sorted(product_modules_imported(ROOT / module) - floor) for module in sorted(floor)}
    assert not {m: w for m, w in wrong.items() if w}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(("liaison_graph", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def test_no_module_imports_itself_back():
    """No import loop among the product's modules, lazy imports (inside functions) included;
    only what type checkers alone read (under ``if TYPE_CHECKING:``) is left out. ``from pkg
    import sub`` is an arrow to the submodule, not to the package's __init__."""
    import ast

    import networkx as nx

    paths = {_module_name(ROOT / m): ROOT / m for m in modules()}
    arrows = nx.DiGraph()
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and getattr(node.test, "id", getattr(node.test, "attr", None)) == "TYPE_CHECKING"
                       for n in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("liaison_graph"):
                subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in paths]
                targets = subs if len(subs) == len(node.names) else [node.module, *subs]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("liaison_graph")]
            else:
                continue
            arrows.add_edges_from((name, t) for t in targets if t in paths and t != name)
    assert arrows.number_of_edges() > 50  # the walk reads the imports at all
    loops = sorted(sorted(c) for c in nx.simple_cycles(arrows))
    assert not loops, f"import loops: {loops}"


def test_the_fast_path_table_names_tests_and_thresholds_that_exist():
    """Every test the architecture names is a test of the suite, every `file.py::name` is
    defined in that file, and every threshold has the value written beside it."""
    doc = architecture()
    defined = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        defined.update(dict.fromkeys(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), flags=re.MULTILINE),
                                     path.name))
    named = set(re.findall(r"`(?:tests/[\w/]+\.py::)?(test_\w+)`", doc))
    assert len(named) > 15
    assert not named - defined.keys(), f"tests named in docs/ARCHITECTURE.md that do not exist: {sorted(named - defined.keys())}"
    for file, name in re.findall(r"`([\w/]+\.py)::(\w+)`", doc):
        text = (ROOT / file).read_text(encoding="utf-8")
        assert re.search(rf"^\s*(?:def|class) {name}\b|^{name} = ", text, flags=re.MULTILINE), (file, name)
    sources = {p: p.read_text(encoding="utf-8") for folder in ("graph", "loaders", "api")
               for p in (ROOT / folder).rglob("*.py")}
    thresholds = re.findall(r"`([A-Z_]+)` \(([\d,]+)", doc)
    assert {t for t, _ in thresholds} >= {"CLEAN_AS_COLUMNS_FROM", "BUILD_AS_COLUMNS_FROM", "WRITE_INDEXES_LAST_FROM", "PATCH_COLUMNS_UP_TO"}
    for constant, value in thresholds:
        values = {m.replace("_", "") for text in sources.values()
                  for m in re.findall(rf"^{constant} = ([\d_]+)", text, flags=re.MULTILINE)}
        assert values == {value.replace(",", "")}, (constant, value, values)


def test_links_between_the_documents_resolve():
    """Every relative link in the README and docs/ names a file that exists, and an anchor a
    heading of it; the README links the documents that took its detail."""
    def anchors(path: Path) -> set[str]:
        heads = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
        return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}

    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (doc.parent / file).resolve() if file else doc
            assert path.exists(), (doc.name, target)
            if anchor:
                assert anchor in anchors(path), (doc.name, target)
    text = readme()
    for linked in ("docs/ARCHITECTURE.md", "docs/DOMAIN.md", "docs/benchmarks.md", "docs/DATA-FORMAT.md"):
        assert f"]({linked}" in text, linked


def test_no_module_is_over_about_400_lines():
    """A module that grows past this has more than one job: split it along a seam."""
    long = {m: n for m in modules() if (n := len((ROOT / m).read_text(encoding="utf-8").splitlines())) > 420}
    assert not long
