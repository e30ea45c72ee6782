"""The long questions' answers written straight from what the verb returned (past
``fastpaths.CHECK_ANSWERS_UP_TO`` bytes) are the answers checked against their models."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from liaison_graph.api.answers_coverage import CoverageOut
from liaison_graph.api.answers import DiffOut, NetworkOut, RecommendOut, as_json
from liaison_graph.api.verbs import questions
from liaison_graph.api.verbs.policies import PolicyAsked, policies
from liaison_graph.api.verbs.recommend import recommend
from liaison_graph.api.verbs.scope import WHOLE
from liaison_graph.graph import fastpaths
from liaison_graph.graph.coverage import BREAKDOWNS
from liaison_graph.graph.embedded import EmbeddedStore
from liaison_graph.loaders import load_files
from liaison_graph.loaders.generate import generate

DAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("answers")
    generate("county", 5, folder / "csv", "csv")
    with EmbeddedStore(folder / "s.db") as store:
        load_files(sorted((folder / "csv").glob("*.csv")), store)
        yield store


def both_ways(monkeypatch, model, value) -> tuple:
    monkeypatch.setattr(fastpaths, "CHECK_ANSWERS_UP_TO", 10**12)
    checked = as_json(model, value)
    monkeypatch.setattr(fastpaths, "CHECK_ANSWERS_UP_TO", 0)
    direct = as_json(model, value)
    return json.loads(checked), json.loads(direct), direct


def test_every_report_written_directly_is_the_checked_one(county, monkeypatch):
    asked, listed = 0, 0
    for name in [None, *(p["name"] for p in policies())]:
        for by in (None, *BREAKDOWNS):
            for committee in (None, sorted(county.committees())[-1]):
                value = questions.coverage(county, WHOLE, PolicyAsked(name), DAY, committee, by, 30)
                checked, direct, raw = both_ways(monkeypatch, CoverageOut, value)
                assert direct == checked, (name, by, committee)
                assert raw != as_json(CoverageOut, {**value, "extra": 1})  # written from the value, not a stale copy
                asked += 1
                listed += sum(len(rule["uncovered"]) for rule in value["rules"])
    assert asked > 20 and listed > 100  # reports with their lists of names


def test_diff_network_and_recommendations_written_directly_are_the_checked_ones(county, monkeypatch):
    for model, value in (
            (DiffOut, questions.diff(county, WHOLE, dt.date(2024, 1, 1), DAY)),
            (NetworkOut, questions.network(county, WHOLE, DAY, None, 10)),
            (RecommendOut, recommend(county, WHOLE, PolicyAsked(None), DAY, None))):
        checked, direct, _ = both_ways(monkeypatch, model, value)
        assert direct == checked, model.__name__
        assert checked  # a real answer, not an empty one
