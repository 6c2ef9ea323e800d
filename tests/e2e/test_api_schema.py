"""A schemathesis run against the served OpenAPI document finds no server error, and every
answer matches the document (status, content type, body schema)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    CliServer,
    api_store,
    client,
    seeded,
    server,
    token,
)

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance")
"""Not ``positive_data_acceptance``: some events carry rules across fields that a JSON schema
cannot say (``returned_on`` only with ``reason: sickness``), refused with a 422 that names them."""


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


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(
        seeded: App, tmp_path: Path) -> None:
    """Generated requests on every operation of ``oversight api``, with an admin token: no 5xx,
    no undocumented status, content type, header or body (bounded: 10 examples an operation
    and a fixed seed)."""
    secret = token(seeded, "admin")
    with CliServer(seeded.settings.home) as served:
        run = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{served.url}/openapi.json",
             "--header", f"Authorization: Bearer {secret}", "--checks", ",".join(CHECKS),
             "--phases", "examples,coverage,fuzzing", "--max-examples", "10", "--seed", "1",
             "--generation-database", "none", "--workers", "1", "--request-timeout", "30",
             "--no-color"],
            capture_output=True, text=True, timeout=400, cwd=tmp_path)
        with httpx.Client(base_url=served.url) as http:
            alive = http.get("/v1/health").status_code
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary + run.stderr[-2000:]
    assert " passed" in summary and "failures" not in summary, summary
    assert alive == 200
