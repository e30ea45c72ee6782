"""Schemathesis drives every operation of the OpenAPI schema with generated requests (valid
and invalid) as an editor of one county, and as nobody; no request may end in a 500, and
every failure must come back in the one error shape."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from liaison_graph.api.app import create_app
from liaison_graph.api.service import Service
from tests.api_fixtures import build_city, open_world


@pytest.fixture(scope="module")
def api_world(tmp_path_factory):
    world = open_world(build_city(tmp_path_factory.mktemp("city")), tmp_path_factory.mktemp("store"))
    yield world
    world.close()


@pytest.fixture(scope="module")
def api_operations(api_world):
    """Every operation of the schema of one application over the city (read once)."""
    app = create_app(Service(api_world.store, max_upload_bytes=100_000))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return {(r.ok().method.upper(), r.ok().path): r.ok() for r in schema.get_all_operations()}


def operations():
    """Every operation of the schema (the schema is read from an app with no store: it
    does not depend on the data)."""
    app = create_app(Service(store=None))
    return [(r.ok().method.upper(), r.ok().path) for r in schemathesis.openapi.from_asgi("/openapi.json", app)
            .get_all_operations()]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), operations())
def test_no_request_ends_in_a_server_error(api_world, api_operations, method, path, mode):
    operation = api_operations[method, path]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def run(case):
        for headers in (api_world.headers("a_editor"), {}):
            response = case.call(headers={**(case.headers or {}), **headers})
            assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.status_code,
                                                 response.text[:300])
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["status"] == response.status_code and error["code"] and error["message"]

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE
        pytest.skip("this operation takes no input that could be invalid")
