"""换届 by hand on every store (graph/terms.py, api/verbs/terms.py): a hand-made two-term
roster — `term close` ends what runs past the day (seats, liaisons, the temporary branch
and the sub party group, a dated membership) and keeps the closing coverage, which `diff`
and `term list` cite; `term open` loads the new term and says who stayed, came and left,
proposing the stayer not yet linked; `recommend` then keeps the pair whose two people stay."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison_graph.api.verbs import edits, persons, questions, recommend, terms
from liaison_graph.api.verbs.policies import PolicyAsked
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph.errors import BadArgument, Conflict
from liaison_graph.graph.recommend import KEPT
from liaison_graph.graph.terms import still_running
from liaison_graph.loaders import load_files
from tests.conftest import write_json

CLOSE, OPEN = dt.date(2026, 12, 31), dt.date(2027, 1, 15)


def m(mid, affiliation, name=None, start="2022-01-01", **more):
    return {"id": mid, "name": name or f"委员{mid}", "gender": "男", "affiliation": affiliation, "committee_id": "T",
            "sector": "经济界", "start_date": start, **more}


FIRST = {
    "committees": [{"id": "T", "name": "试验县政协", "level": "县", "term": "第一届"}],
    "party_orgs": [{"id": "PG", "name": "县政协党组", "kind": "党组", "committee_id": "T"},
                   {"id": "TO", "name": "机关党支部", "kind": "党支部", "committee_id": "T"},
                   {"id": "SG", "name": "提案委分党组", "kind": "分党组", "committee_id": "T"},
                   {"id": "TB", "name": "全会临时党支部", "kind": "临时党支部", "committee_id": "T",
                    "start_date": "2026-12-20", "end_date": "2027-01-20"}],
    "members": [m("P1", "中共党员", person_id="PP1", party_org_ids="TO、TB"), m("P2", "中共党员", party_org_ids="TO"),
                m("X1", "民盟", person_id="PX1"), m("X2", "民建", "李明"), m("X3", "无党派人士")],
    "liaisons": [{"from_id": "P1", "to": "X1", "start_date": "2022-01-01"}, {"from_id": "P2", "to": "X2", "start_date": "2022-01-01"},
                 {"from_id": "P1", "to": "X3", "start_date": "2022-01-01"},
                 {"from_id": "P2", "to": "X3", "start_date": "2022-01-01", "end_date": "2023-06-30"},  # ended long ago
                 {"from_id": "P2", "to": "X1", "start_date": "2027-03-01"}],  # begins after the day: left as it is
}
SECOND = {"members": [m("P1B", "中共党员", "委员P1", "2027-01-01", person_id="PP1"),  # re-appointed, a new record
                      m("X1", "民盟", start="2027-01-01"),  # re-appointed under the same id
                      m("X2B", "民建", "李明", "2027-01-01"),  # the same person as X2, not linked yet
                      m("N1", "九三学社", start="2027-01-01")]}


@pytest.fixture
def closed(store, tmp_path):
    load_files([write_json(tmp_path / "first.json", FIRST)], store)
    edits.create_membership(store, WHOLE, "P2", "PG", dt.date(2023, 1, 1))  # a dated membership
    return store, terms.close(store, WHOLE, "T", CLOSE)


def test_closing_a_term_ends_what_runs_past_the_day(closed):
    store, result = closed
    assert result["ended"] == {"Member": 5, "PartyOrg": 2, "LIAISES_WITH": 3, "IN_PARTY_ORG": 1}
    assert {k: (h["covered"], h["total"]) for k, h in result["headline"].items()} == {
        "party_org": (2, 2), "party_work": (3, 3)} and result["term"] == "第一届"
    orgs = store.node_props("PartyOrg", ["TB", "SG", "TO", "PG"])
    assert [orgs[o].get("end_date") for o in ("TB", "SG", "TO", "PG")] == ["2026-12-31", "2026-12-31", None, None]
    assert still_running(store.subgraph(["T"]), "T", CLOSE.isoformat()) == []
    later = {(e[2], e[4], e[6].get("start_date")): e[6].get("end_date") for e in store.edges_of("Member", ["P1", "P2"], "LIAISES_WITH")}
    assert later == {("P1", "X1", "2022-01-01"): "2026-12-31", ("P1", "X3", "2022-01-01"): "2026-12-31",
                     ("P2", "X2", "2022-01-01"): "2026-12-31", ("P2", "X3", "2022-01-01"): "2023-06-30",
                     ("P2", "X1", "2027-03-01"): None}
    # cited: by the diff across the day, and the list of closings
    diff = questions.diff(store, WHOLE, dt.date(2026, 12, 1), dt.date(2027, 1, 1), "T")
    assert [(c["committee_id"], c["date"], c["term"]) for c in diff["term_closings"]] == [("T", "2026-12-31", "第一届")]
    assert questions.diff(store, WHOLE, dt.date(2026, 1, 1), dt.date(2026, 12, 30))["term_closings"] == []
    assert [c["headline"]["party_work"]["covered"] for c in terms.closings(store, WHOLE)] == [3]
    with pytest.raises(Conflict, match="无需换届"):  # closed already: nothing runs past the day
        terms.close(store, WHOLE, "T", CLOSE)


def test_a_dry_run_writes_nothing(store, tmp_path):
    load_files([write_json(tmp_path / "first.json", FIRST)], store)
    before = store.dump()
    assert terms.close(store, WHOLE, "T", CLOSE, dry_run=True)["ended"]["Member"] == 5
    assert store.dump() == before and terms.closings(store, WHOLE) == []
    with pytest.raises(Conflict, match="还没有换届"):
        terms.open_term(store, WHOLE, "T", "第二届", [write_json(tmp_path / "second.json", SECOND)])


def test_opening_the_next_term_then_recommending(closed, tmp_path):
    store, _ = closed
    roster = write_json(tmp_path / "second.json", SECOND)
    before = store.dump()
    dry = terms.open_term(store, WHOLE, "T", "第二届", [roster], dry_run=True)
    assert store.dump() == before
    opened = terms.open_term(store, WHOLE, "试验县政协", "第二届", [roster])
    for result in (dry, opened):
        assert ([r["id"] for r in result["stayed"]], [r["id"] for r in result["came"]], [r["id"] for r in result["left"]]) == (
            ["P1B", "X1"], ["N1", "X2B"], ["P2", "X2", "X3"])
        assert [[r["id"] for r in p["records"]] for p in result["proposed"]] == [["X2", "X2B"]]
    assert store.node_props("Committee", ["T"])["T"]["term"] == "第二届"
    persons.link(store, WHOLE, ["X2", "X2B"])
    found = recommend.recommend(store, WHOLE, PolicyAsked(), OPEN, "T")
    pairs = {(i["from_id"], i["to_id"]): i["cost"] for i in found["items"] if i["rule"] == "non-party-without-liaison"}
    # P1's pair with X1 is kept (both stay); X2's liaison holder left, so X2B is paired anew
    assert pairs[("P1B", "X1")] == KEPT and pairs[("P1B", "X2B")] > KEPT and pairs[("P1B", "N1")] > KEPT


def test_a_wrong_opening_is_refused(closed, tmp_path):
    store, _ = closed
    with pytest.raises(BadArgument, match="届次"):
        terms.open_term(store, WHOLE, "T", " ", [write_json(tmp_path / "second.json", SECOND)])
    other = {"committees": [{"id": "U", "name": "别县政协", "level": "县"}], "members": [{**m("U1", "民盟"), "committee_id": "U"}]}
    with pytest.raises(BadArgument, match="没有试验县政协的委员"):
        terms.open_term(store, WHOLE, "T", "第二届", [write_json(tmp_path / "other.json", other)])


@st.composite
def one_term(draw):
    """A county's term: members (party or not, some in the branch), liaisons between them."""
    members = [m(f"M{i}", draw(st.sampled_from(["中共党员", "民盟", "无党派人士"])), f"委员{i}",
                 party_org_ids=draw(st.sampled_from([None, "TO"])))
               for i in range(draw(st.integers(1, 8)))]
    ids = [r["id"] for r in members]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]),
                          max_size=8, unique=True)) if len(ids) > 1 else []
    liaisons = [{"from_id": a, "to": b, "start_date": "2022-01-01"} for a, b in pairs]
    return {"committees": FIRST["committees"], "party_orgs": FIRST["party_orgs"][:2],
            "members": [{k: v for k, v in r.items() if v is not None} for r in members], "liaisons": liaisons}


def again(roster: dict) -> dict:
    """The same people and pairs as the next term: new records linked to them, from its first day."""
    new = {r["id"]: f"{r['id']}N" for r in roster["members"]}
    return {"members": [{**r, "id": new[r["id"]], "person_id": r["id"], "start_date": "2027-01-01"} for r in roster["members"]],
            "liaisons": [{**x, "from_id": new[x["from_id"]], "to": new[x["to"]], "start_date": "2027-01-01"}
                         for x in roster.get("liaisons", [])]}


@given(roster=one_term())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_closing_and_reopening_with_the_same_roster(store, tmp_path, roster):
    """The same people, the same coverage, and nothing of the old term still running."""
    store.clear()
    load_files([write_json(tmp_path / "first.json", roster)], store)
    counts = lambda day: {k: (h["covered"], h["total"]) for k, h in  # noqa: E731
                          questions.coverage(store, WHOLE, PolicyAsked(), day, "T")["headline"].items()}
    people = lambda day: persons.persons(store, WHOLE, day, "T")["people"]  # noqa: E731
    before, who = counts(CLOSE), people(CLOSE)
    terms.close(store, WHOLE, "T", CLOSE)
    result = terms.open_term(store, WHOLE, "T", "第二届", [write_json(tmp_path / "second.json", again(roster))])
    assert (len(result["stayed"]), result["came"], result["left"]) == (len(roster["members"]), [], [])
    assert counts(OPEN) == before and people(OPEN) == who
    assert still_running(store.subgraph(["T"]), "T", CLOSE.isoformat()) == []  # the new term's begin after it
    old = store.node_props("Member", [r["id"] for r in roster["members"]])
    assert all(p["end_date"] == CLOSE.isoformat() for p in old.values())
