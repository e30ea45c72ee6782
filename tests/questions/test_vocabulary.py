"""One meaning, one place: the vocabulary lives in graph/model.yaml, the two flagship rules
in graph/policies/two-coverages.yaml. The model refuses a malformed file; the code derives
what it needs from the two; a copy of a code or label written into the Python sources is
caught here."""

from __future__ import annotations

import ast
import copy
from importlib import resources
from pathlib import Path

import pytest
import yaml
from liaison_graph.graph import coverage, reports
from liaison_graph.graph import flagship as flagship_module
from liaison_graph.graph.errors import InputError, ModelError
from liaison_graph.graph.model import model
from liaison_graph.graph.model_build import build_model
from liaison_graph.graph.policy import SELECT_KEYS, flagship, parse_policy

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("graph", "api", "loaders", "cypher")  # the Python of the product

# Files and words the scan lets through, each for a reason.
ALLOWED: dict[str, set[str] | None] = {  # path -> the words allowed there (None: any)
    # Fictional rosters and the sample roster, written as an office writes them: party
    # names, positions and organisation kinds are their data.
    "loaders/generate.py": None,
    "loaders/generate_tree.py": None,
    "loaders/generate_studios.py": None,
    "loaders/sample.py": None,
    # The API documentation's example rows, written as an office writes them.
    "api/schemas.py": None,
    # The page's word for a member of neither the CPC nor a democratic party (web/app.js
    # colours by it), not the affiliation code of 无党派人士.
    "api/routes/page.py": {"non_party"},
    # The policy files' word for the way of members' contacts with the masses of their sector
    # (through: [masses]), read there alone; not the affiliation code of 群众.
    "graph/policy.py": {"masses"},
    "api/verbs/page.py": {"non_party"},
}


def _model_doc() -> dict:
    text = resources.files("liaison_graph.graph").joinpath("model.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


# --- the model refuses a malformed file for its new attributes ----------------------------
DELETE = object()


@pytest.mark.parametrize("path, value", [
    ("enums.position.chair.standing", "yes"),  # a mark is true or false
    ("enums.affiliation.rcck.democratic", 1),
    ("nodes.Sector.stat", "members"),  # two kinds under one stats key
    ("nodes.Sector.stat", 3),
    ("edges.CONTACTED.stat", "liaisons"),
    ("nodes.Sector.seen_from", "no_such_column"),  # seen_from names a column of the member's row
    ("nodes.Studio.seen_from", "sector"),  # one column, one node kind
    ("nodes.Activity.seen_from", "sector"),  # no edge from a member's row leads to an activity
    ("nodes.Sector.grouping", "yes"),
    ("nodes.Committee.grouping", True),  # no membership edge leads into a committee
    ("nodes.Sector.groupng", True),  # an unknown key
    ("edges.IN_SECTOR.membership", "yes"),
    ("edges.LIAISES_WITH.membership", True),  # a membership has one target
    ("edges.IN_SECTOR.memebership", True),
    ("node_codes.sector", DELETE),  # a node kind without a code
    ("node_codes.sectors", "Sector"),  # two codes for one kind
    ("node_codes", ["Member"]),
    ("node_codes", DELETE),
])
def test_the_model_refuses_a_malformed_vocabulary(path, value):
    doc = copy.deepcopy(_model_doc())
    *keys, last = path.split(".")
    node = doc
    for key in keys:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    with pytest.raises(ModelError):
        build_model(doc)


def test_a_target_kind_needs_a_node_kind():
    doc = copy.deepcopy(_model_doc())
    doc["node_codes"]["sector_kind"] = doc["node_codes"].pop("sector")
    with pytest.raises(ModelError, match="target_kind"):
        build_model(doc)


def test_a_mark_held_by_one_value_is_held_by_exactly_one():
    doc = copy.deepcopy(_model_doc())
    doc["enums"]["party_org_kind"]["party_cell"]["temporary"] = True
    m = build_model(doc)
    with pytest.raises(ModelError):
        m.the("party_org_kind", "temporary")
    with pytest.raises(ModelError):
        m.marked("party_org_kind", "no_such_mark")
    assert model().the("party_org_kind", "temporary") in model().marked("party_org_kind", "temporary")


def test_the_column_store_numbers_node_and_edge_kinds_as_its_files_hold_them():
    """The column store keeps node and edge kinds as numbers in its file: model.yaml's
    node_codes and membership edges may grow at the end only."""
    from liaison_graph.graph import columnar

    assert columnar.KINDS[:8] == ("Member", "Sector", "SpecialCommittee", "ActivityGroup", "PartyOrg", "Studio",
                                  "Activity", "Committee")
    assert columnar.EDGE_KINDS[:6] == ("LIAISES_WITH", "IN_SECTOR", "ON_SPECIAL_COMMITTEE", "IN_ACTIVITY_GROUP",
                                       "IN_PARTY_ORG", "AT_STUDIO")


# --- the two flagship rules: declared once, by the policy --------------------------------
def _reordered_flagship_text() -> str:
    doc = yaml.safe_load(resources.files("liaison_graph.graph").joinpath("policies", "two-coverages.yaml")
                         .read_text(encoding="utf-8"))
    doc["rules"] = doc["rules"][::-1]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def test_the_gap_rules_are_the_flagship_policys():
    rules = flagship().rules
    assert flagship_module.RULES == {r.id: r.gap_label for r in rules}
    assert flagship_module.RULE_CPC == {r.id: r.covers.cpc for r in rules}
    assert {cpc: flagship_module.RULE_FOR[cpc] for cpc in (True, False)} == {r.covers.cpc: r.id for r in rules}
    assert flagship_module.FORMS == flagship_module.forms(flagship())
    assert {r: f.cpc for r, f in flagship_module.FORMS.items()} == flagship_module.RULE_CPC


def test_reordering_the_flagship_rules_keeps_the_headline_and_the_gap_rules(monkeypatch, tmp_path):
    from liaison_graph.graph.embedded import EmbeddedStore
    from liaison_graph.loaders import load_files

    from tests.conftest import write_json
    from tests.questions.test_policies import ROSTER, D

    reordered = parse_policy(_reordered_flagship_text(), "two-coverages.yaml")
    assert [r.id for r in reordered.rules] == [r.id for r in flagship().rules][::-1]
    with EmbeddedStore(tmp_path / "store.db") as store:
        load_files([write_json(tmp_path / "t.json", ROSTER)], store)
        before = reports.store_report(store, D, flagship())
        monkeypatch.setattr(coverage, "flagship", lambda: reordered)
        after = reports.store_report(store, D, reordered)
        assert list(after["headline"].items()) == list(before["headline"].items())
        assert after["headline"]["party_org"]["label"] == "党的组织对党员委员全覆盖"
        assert after["rules"] == before["rules"][::-1]
    gap_labels, cpc = flagship_module._flagship_rules(reordered)
    assert list(gap_labels.items()) == list(flagship_module.RULES.items())
    assert list(cpc.items()) == list(flagship_module.RULE_CPC.items())
    assert flagship_module.forms(reordered) == flagship_module.FORMS


def _changed_flagship_text(rule_id: str, **keys) -> str:
    doc = yaml.safe_load(resources.files("liaison_graph.graph").joinpath("policies", "two-coverages.yaml")
                         .read_text(encoding="utf-8"))
    for rule in doc["rules"]:
        if rule["id"] == rule_id:
            rule.update(keys)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize("rule_id, keys, word", [
    ("non-party-without-liaison", {"through": ["via_sector"]}, "via_sector"),  # the index keeps no liaison to a group
    ("non-party-without-liaison", {"through": ["liaison", "membership"]}, "membership"),  # one way per rule
    ("non-party-without-liaison", {"by": {"kind": "member", "cpc": True, "standing": True}}, "standing"),
    ("non-party-without-liaison", {"covers": {"kind": "member", "cpc": False, "party_group": False}}, "party_group"),
    ("non-party-without-liaison", {"by": {"kind": "party_org"}}, "member"),  # a liaison comes from a member
    ("party-member-unorganised", {"by": {"kind": "party_org", "party_org_kinds": ["branch"]}}, "party_org_kinds"),
    ("party-member-unorganised", {"by": {"kind": "member", "cpc": True}}, "member"),  # no one sits in a member
])
def test_a_flagship_rule_the_fast_forms_cannot_follow_is_refused_at_start(rule_id, keys, word):
    """The gap index and the Bolt gap queries are written from the two-coverages policy
    (graph/flagship.py): a declaration they cannot follow stops the product at import,
    naming the rule and what is at fault, instead of answering something else."""
    policy = parse_policy(_changed_flagship_text(rule_id, **keys), "two-coverages.yaml")
    with pytest.raises(ModelError, match=rule_id) as refused:
        flagship_module.forms(policy)
    assert word in str(refused.value)


def test_a_headline_names_rules_of_its_policy():
    text = _reordered_flagship_text().replace("party_work: non-party-without-liaison", "party_work: no-such-rule")
    with pytest.raises(InputError, match="no-such-rule"):
        parse_policy(text, "two-coverages.yaml")


# --- no copy of the vocabulary in the Python sources -------------------------------------
ENUMS = ("affiliation", "position", "party_org_kind", "party_group_role")  # the vocabularies rules and reports turn on


def _vocabulary() -> tuple[dict[str, str], set[str]]:
    """(word -> what it names) for the words no Python source may hold as a string of its
    own: every word of the ENUMS (code, label, alias) that names nothing else in the model
    ("cpc" is also a property the stores keep, "member" a node kind's code, "standing" a
    policy's selector), and the flagship rules' ids and labels. Then the model's names a
    dict of names is made of: kinds, codes and labels, not column or property names."""
    m = model()
    properties = {c for t in m.tables.values() for c in t.columns} | {n for names in m.reserved.values() for n in names}
    other = properties | set(m.node_codes) | set(SELECT_KEYS) | {mark for e in m.enums.values() for mark in e.marks}
    other |= {k.label for k in (*m.nodes.values(), *m.edges.values(), *m.tables.values())}
    other |= {w for name, e in m.enums.items() if name not in ENUMS for w in (*e.labels, *e.labels.values())}
    checked = {}
    for name in ENUMS:
        enum = m.enums[name]
        for word, code in [*enum.lookup.items(), *((label, code) for code, label in enum.labels.items())]:
            if word not in other:
                checked[word] = f"{name}.{code}"
    for rule in flagship().rules:
        for word in (rule.id, rule.label, rule.gap_label, rule.short_label):
            checked[word] = f"the two-coverages rule {rule.id}"
    names = {*m.nodes, *m.edges, *m.node_codes} | {k.label for k in (*m.nodes.values(), *m.edges.values())}
    names |= {w for e in m.enums.values() for w in (*e.labels, *e.labels.values())}
    return checked, names - properties


def _text(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def copies(source: str, allowed: set[str] | None = frozenset()) -> list[str]:
    """The places in one Python source that copy the model's vocabulary: a string that is a
    code or label of affiliation, position, party_org_kind or party_group_role (or a
    flagship rule's id or label), and a dict literal with two or more entries that map to
    a string from one of the model's names (node or edge kinds, codes, labels) or to one."""
    if allowed is None:
        return []
    checked, names = _vocabulary()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in checked \
                and node.value not in allowed:
            found.append(f"line {node.lineno}: {node.value!r} ({checked[node.value]})")
        elif isinstance(node, ast.Dict):
            pairs = [(_text(k), _text(v)) for k, v in zip(node.keys, node.values, strict=True) if _text(v) is not None]
            named = [(k, v) for k, v in pairs if (k in names or v in names) and not {k, v} & allowed]
            if len(named) > 1:
                found.append(f"line {node.lineno}: a dict of {named}")
    return found


def test_the_scan_catches_a_copied_vocabulary():
    assert copies('DEMOCRATIC = {"rcck", "cdl", "cndca"}\n')
    assert copies('if kind == "temporary_branch":\n    what = "临时党支部"\n')
    assert copies('parts.append("常委")\n')
    assert copies('KIND_LABELS = {"member": "委员", "sector": "界别"}\n')
    assert copies('SEEN = {"sector": "Sector", "studio": "Studio"}\n')
    assert copies('RULES = {"non-party-without-liaison": "无党员委员联系的党外委员"}\n')
    assert not copies('props = {"sector": row["sector"], "cpc": True, "position": "member"}\n')


def test_no_python_source_copies_the_models_vocabulary():
    """A code or label of the model written into the product's Python is a second place
    for it: ask the model (graph/model.py) or the policy (graph/policy.py) instead."""
    found = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            hits = copies(path.read_text(encoding="utf-8"), ALLOWED.get(name, frozenset()))
            if hits:
                found[name] = hits
    assert not found, found
