"""Studios and stations on the shipped sample: a hand-made policy (tests/questions/policies/
stations.yaml) asks that every liaison station has a CPC member sitting in it, and breaks
the report down by township; the figures are worked out here from the sample's own rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from liaison_graph.graph.coverage import NONE_KEY, report, township_key
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.graph.policy import find_policy
from liaison_graph.graph.reports import store_report
from liaison_graph.graph.view import open_view
from liaison_graph.loaders import load_files
from liaison_graph.loaders.sample import SAMPLE, sample_rows

DAY = dt.date(2026, 11, 30)
POLICY = Path(__file__).parent / "policies" / "stations.yaml"


def _holds(row: dict) -> bool:
    day = DAY.isoformat()
    return (row.get("start_date") or "") <= day and (not row.get("end_date") or day <= row["end_date"])


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    with EmbeddedStore(tmp_path_factory.mktemp("sample") / "s.db") as store:
        load_files([SAMPLE], store)
        yield store


@pytest.fixture(scope="module", params=["columns", "view"])
def answer(request, sample):
    policy = find_policy(str(POLICY))
    if request.param == "columns":  # the whole store: from the report columns
        return store_report(sample, DAY, policy, by="township")
    return report(open_view(sample, DAY, "XS"), policy, by="township")


def _rule(answer: dict, rule_id: str) -> dict:
    return next(r for r in answer["rules"] if r["id"] == rule_id)


def test_every_liaison_station_with_a_cpc_member(answer):
    rows = sample_rows()
    members = [m for m in rows["members"] if _holds(m)]
    stations = [s for s in rows["studios"] if s["kind"] == "联络站" and _holds(s)]
    with_cpc = {sid for m in members if "中共党员" in m["affiliation"] for sid in (m.get("studio") or "").split("、")}
    r = _rule(answer, "liaison-stations-with-cpc")
    assert (r["total"], r["covered"]) == (len(stations), sum(s["id"] in with_cpc for s in stations))
    assert r["total"] >= 3  # stations in several townships
    assert {u["id"] for u in r["uncovered"]} == {s["id"] for s in stations if s["id"] not in with_cpc}
    by_township = Counter(s["township"] for s in stations)
    assert {b["name"]: b["total"] for b in r["breakdown"]} == dict(by_township)
    other = _rule(answer, "studios-with-cpc")
    rest = [s for s in rows["studios"] if s["kind"] != "联络站" and _holds(s)]
    assert (other["total"], other["covered"]) == (len(rest), sum(s["id"] in with_cpc for s in rest))
    assert other["covered"] < other["total"]  # a studio without a party member: the rule finds it


def test_coverage_by_township_counts_each_member_in_their_township(answer, sample):
    rows = sample_rows()
    non_party = [m for m in rows["members"] if _holds(m) and "中共党员" not in m["affiliation"]]
    gaps = {g["id"] for g in sample.gaps("non-party-without-liaison", DAY, None)}  # the gap index: another way
    r = _rule(answer, "non-party-by-township")
    totals = Counter(township_key("XS", m["township"]) if m.get("township") else NONE_KEY for m in non_party)
    missed = Counter(township_key("XS", m["township"]) if m.get("township") else NONE_KEY
                     for m in non_party if m["id"] in gaps)
    assert {b["key"]: (b["total"], b["covered"]) for b in r["breakdown"]} == \
        {key: (n, n - missed[key]) for key, n in totals.items()}
    assert [b["key"] for b in r["breakdown"]][-1] == NONE_KEY and len(totals) > 3
    assert all(b["committee_id"] == "XS" and b["name"] == b["key"].split(":", 1)[1]
               for b in r["breakdown"] if b["key"] != NONE_KEY)


def test_the_stats_count_the_studios_of_the_table(sample):
    rows = sample_rows()
    assert sample.stats()["studios"] == len(rows["studios"]) > 6  # the 工作室 of the members' rows, and the stations
    kinds = Counter(s["kind"] for s in rows["studios"])
    assert kinds["联络站"] and kinds["工作站"] and 1 <= kinds["委员之家"] <= 2
