"""Bad input gets an RFC 9457 problem in the product's own words, never Python's, and every
API parameter is typed in the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.security.conftest import bearer


def test_the_compliance_figures_refuse_bad_dates_and_teams_in_the_products_words(
        api: TestClient, secrets: dict[str, str]) -> None:
    """``from=null``, ``from=2026-13-01``, a period back to front, a team nobody leads."""
    admin = bearer(secrets["admin"])
    answers = {case: api.get("/v1/compliance", params=params, headers=admin) for case, params in {
        "null": {"from": "null"}, "month 13": {"from": "2026-13-01"},
        "backwards": {"from": "2026-03-01", "to": "2026-02-01"},
        "no team": {"team": "sw9"}}.items()}
    assert {case: answer.status_code for case, answer in answers.items()} == {
        "null": 422, "month 13": 422, "backwards": 400, "no team": 404}
    for answer in answers.values():
        assert answer.headers["content-type"] == "application/problem+json"
        detail = answer.json()["detail"]
        for python in ("isoformat", "must be in", "Value error", "--team", "Traceback"):
            assert python not in detail, detail
    assert answers["null"].json()["detail"] == \
        "query.from: 'null' is not a date (write YYYY-MM-DD)"


def test_every_date_parameter_is_a_date_in_the_openapi_document(api: TestClient) -> None:
    """Each query parameter whose name says it is a day (from, to, as_of, due_…) has
    ``format: date``; each identifier parameter has a pattern."""
    document = api.get("/openapi.json").json()
    untyped = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                kinds = schema.get("anyOf", [schema])
                name = parameter["name"]
                if name in ("from", "to", "as_of", "due_from", "due_to"):
                    if not any(kind.get("format") == "date" for kind in kinds):
                        untyped.append((method, path, name))
                elif name in ("person", "subject", "team", "worker", "kind", "entity_id",
                              "task_id", "target"):
                    if not any(kind.get("pattern") for kind in kinds):
                        untyped.append((method, path, name))
    assert untyped == []
