"""The API's event body is the declarations' union, the one ``parse_event`` validates with: an
event type added by a declaration is in the OpenAPI document with no edit to the API.

The type is the one tests/unit/test_adding_an_event_type.py adds (``team_activity_suspended``,
docs/event-types.md). The product declares 42 types: assessment 4, asye 6, relationship 8,
session 6, child supervision 8, oversight 1, team activity 2, supervision file 4, staff 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oversight.adapters.api import create_app
from oversight.states.errors import EventInvalid
from oversight.states.events import registry
from oversight.states.events.registry import parse_event
from oversight.workflows.bootstrap import App, initialise
from oversight.workflows.settings import Settings
from tests.store_templates import migrated_sqlite
from tests.unit.test_adding_an_event_type import SUSPENDED_DECLARED, TeamActivitySuspended

SUSPENDED = {"type": "team_activity_suspended", "on": "2026-03-13",
             "activity": "group_supervision", "owner": "t1"}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    built = initialise(Settings(home=tmp_path, database_url=migrated_sqlite(tmp_path / "a.db")),
                       "devon")
    yield built
    built.engine.dispose()


def event_body(app: App) -> dict[str, Any]:
    """``POST /v1/events``'s body schema and the document's schemas."""
    document = create_app(app).openapi()
    body = document["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    return {"mapping": body["schema"]["discriminator"]["mapping"],
            "schemas": document["components"]["schemas"]}


def test_the_product_document_has_the_42_declared_types_and_not_the_tests_one(app: App):
    """Without the test's declaration: 42 bodies, no ``team_activity_suspended``."""
    found = event_body(app)
    assert len(found["mapping"]) == 42
    assert "team_activity_suspended" not in found["mapping"]
    with pytest.raises(EventInvalid, match="unknown event type 'team_activity_suspended'"):
        parse_event(dict(SUSPENDED))


def test_a_declared_type_is_in_the_openapi_document_and_parses_with_no_edit_to_the_api(
        app: App, monkeypatch: pytest.MonkeyPatch):
    """With the declaration added: 43 bodies, the new one's fields required as its class says,
    and ``parse_event`` gives the new class (with its field errors, as for every type)."""
    monkeypatch.setattr(registry, "DECLARATIONS",
                        registry.DECLARATIONS.extended(SUSPENDED_DECLARED))
    found = event_body(app)
    assert len(found["mapping"]) == 43
    assert found["mapping"]["team_activity_suspended"] == (
        "#/components/schemas/TeamActivitySuspended")
    schema = found["schemas"]["TeamActivitySuspended"]
    assert schema["required"] == ["type", "on", "activity", "owner"]
    assert schema["additionalProperties"] is False
    event = parse_event(dict(SUSPENDED))
    assert isinstance(event, TeamActivitySuspended) and event.owner == "t1"
    with pytest.raises(EventInvalid, match="team_activity_suspended: owner: required field"):
        parse_event({key: value for key, value in SUSPENDED.items() if key != "owner"})
