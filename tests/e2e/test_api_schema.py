"""A schemathesis run against the served OpenAPI document, with a token of every role, finds no
server error, no answer outside the document (status, content type, body schema) and no request
the document allows refused as malformed; the document declares what the server refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    REPO,
    CliServer,
    api_store,
    client,
    seeded,
    server,
    token,
)
from tests.security.conftest import ROLE_PEOPLE

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance",
          "schema_valid_requests_are_not_refused_as_malformed")
"""The last is ours (tests/e2e/schema_checks.py), in place of schemathesis's own
``positive_data_acceptance``: the same test of positive data, with the one documented kind of
422 a JSON Schema cannot prevent (an event's dates against today and each other)."""


KNOWN_IDS = """
[dictionaries.tasks]
values = ["relationship:tm1:sw1:supervision:2", "relationship:tm2:sw3:supervision:1",
          "relationship:tm1:sw1:agreement_review:1", "assessment:c1:complete"]
[dictionaries.staff]
values = ["sw1", "sw2", "sw3", "tm1", "tm2", "hos1"]
[dictionaries.entities]
values = ["tm1:sw1", "tm2:sw3", "c1", "c2", "sw2"]
[dictionaries.kinds]
values = ["relationship", "assessment", "asye"]

[parameters]
"path.task_id" = { dictionary = "tasks", probability = 0.6 }
"path.person" = { dictionary = "staff", probability = 0.6 }
"path.worker" = { dictionary = "staff", probability = 0.6 }
"path.entity_id" = { dictionary = "entities", probability = 0.6 }
"path.kind" = { dictionary = "kinds", probability = 0.6 }
"""
"""Ids the seeded store holds, used for six path parameters in ten: without them nearly every
task, entity and person asked for is a 404, and a close never reaches its ``fields``."""


def test_the_openapi_document_is_served_and_names_every_route(server) -> None:  # type: ignore[no-untyped-def]
    """``/openapi.json`` lists the versioned routes, with problem details for errors."""
    with client(server) as http:
        document = http.get("/openapi.json").json()
    assert set(document["paths"]) == {
        "/v1/health", "/v1/access-log", "/v1/events", "/v1/events/batch",
        "/v1/entities/{kind}/{entity_id}", "/v1/entities/{kind}/{entity_id}/timers",
        "/v1/entities/{kind}/{entity_id}/tasks", "/v1/entities/{kind}/{entity_id}/history",
        "/v1/tasks", "/v1/tasks/{task_id}", "/v1/tasks/{task_id}/close",
        "/v1/people/{person}/calendar.ics",
        "/v1/feeds/{secret}.ics",  # a person's calendar feed, by its secret (issue 13)
        "/v1/asye", "/v1/asye/{worker}", "/v1/compliance",  # the dashboard's reads (issue 7)
        "/v1/subject-access/{person}"} | {  # the data protection officer's (issue 14)
        path for path in document["paths"] if path.startswith("/v1/events/{event_id}/")}
    forbidden = document["paths"]["/v1/tasks"]["get"]["responses"]["403"]
    assert list(forbidden["content"]) == ["application/problem+json"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_schemathesis_with_every_role_finds_no_server_error_and_no_valid_request_refused(
        seeded: App, tmp_path: Path) -> None:
    """Generated requests, positive and negative, on every operation of ``oversight api``, each
    with the next of the eight roles' tokens in turn: no 5xx, no undocumented status, content
    type, header or body, and no request the document allows refused as malformed (422) but a
    date refused (bounded: 15 examples an operation, about 35 cases a role, a fixed seed)."""
    tokens = {role: token(seeded, role, person, acts_for=role == "system")
              for role, person in ROLE_PEOPLE.items()}
    config = tmp_path / "schemathesis.toml"
    config.write_text(KNOWN_IDS, encoding="utf-8")
    env = {**os.environ, "SCHEMA_TEST_TOKENS": json.dumps(tokens),
           "SCHEMATHESIS_HOOKS": "tests.e2e.schema_checks",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    with CliServer(seeded.settings.home) as served:
        run = subprocess.run(
            [str(SCHEMATHESIS), "--config-file", str(config), "run", f"{served.url}/openapi.json",
             "--checks", ",".join(CHECKS),
             "--mode", "all", "--phases", "examples,fuzzing", "--max-examples", "15",
             "--seed", "1", "--generation-database", "none", "--workers", "1",
             "--request-timeout", "30", "--no-color"],
            capture_output=True, text=True, timeout=400, cwd=tmp_path, env=env)
        with httpx.Client(base_url=served.url) as http:
            alive = http.get("/v1/health").status_code
    summary = run.stdout[-4000:]
    assert run.returncode == 0, summary + run.stderr[-2000:]
    assert " passed" in summary and "failures" not in summary, summary
    assert alive == 200


def test_the_document_says_what_the_server_refuses(server) -> None:  # type: ignore[no-untyped-def]
    """The dashboard's reads declare the bearer token, a close's ``fields`` its keys, a
    cancellation its session-or-pair, a posted body its 415; and text/plain gets that 415."""
    with client(server) as http:
        document = http.get("/openapi.json").json()
        plain = http.post("/v1/events", content=b'{"type": "supervision_held"}',
                          headers={"Content-Type": "text/plain"})
    paths = document["paths"]
    for path in ("/v1/asye", "/v1/asye/{worker}", "/v1/compliance"):
        assert paths[path]["get"]["security"] == [{"HTTPBearer": []}], path
    schemas = document["components"]["schemas"]
    fields = schemas["CloseFields"]
    assert fields["additionalProperties"] is False
    assert {"outcome", "children_discussed", "by", "actor"} <= set(fields["properties"])
    cancelled = schemas["SessionCancelled"]
    assert [branch["required"] for branch in cancelled["oneOf"]] == [
        ["session"], ["supervisor", "supervisee"]]
    assert "415" in paths["/v1/events"]["post"]["responses"]
    assert plain.status_code == 415
    assert plain.json()["type"] == "urn:oversight:problem:unsupported-media-type"
