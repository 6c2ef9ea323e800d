"""Routes into a supervisory relationship (``SupervisoryRelationship``), found by its pair.

Finders take ``event: Any``: each is listed in :data:`ROUTES` with the event types it reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import UnknownEntity
from oversight.states.machines import SupervisoryRelationship
from oversight.workflows.recording.routing.finding import (
    Route,
    Target,
    create,
    existing,
    live,
    require_staff,
)

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = SupervisoryRelationship


def _started(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """A new relationship of the supervisor and supervisee."""
    require_staff(directory, event.supervisor, event.supervisee)
    return create(entities, KIND, KIND.entity_id(event.supervisor, event.supervisee))


def _pair(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The relationship of the supervisor and supervisee."""
    return [existing(entities, KIND, KIND.entity_id(event.supervisor, event.supervisee))]


def _supervisor(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """Every live relationship of the supervisor."""
    found = live(entities, KIND, party=event.supervisor)
    if not found:
        raise UnknownEntity(f"'{event.supervisor}' supervises nobody: "
                            f"no relationship to apply this to")
    return [Target(KIND, e.id, e) for e in found]


def _supervisee(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The live relationships of the ASYE's worker, whose cadence changes when it passes."""
    return [Target(KIND, e.id, e) for e in live(entities, KIND, subject=event.worker)]


def _person(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The live relationships in which the person is supervised (their cadence may change)."""
    return [Target(KIND, e.id, e) for e in live(entities, KIND, subject=event.person)]


def _changed_role(event: Any, entities: Entities, directory: Directory) -> list[Target]:
    """The live relationships in which the person is supervised; none is an error."""
    found = _person(event, entities, directory)
    if not found:
        raise UnknownEntity(f"nobody supervises '{event.person}': no relationship to apply "
                            f"this to")
    return found


ROUTES = (
    Route("relationship_started", KIND, _started),
    Route("role_changed", KIND, _changed_role),
    Route("returned_to_work", KIND, _person, primary=False),
    Route("agreement_signed", KIND, _pair),
    Route("agreement_reviewed", KIND, _pair),
    Route("relationship_ended", KIND, _pair),
    Route("alternative_supervision_arranged", KIND, _pair),
    Route("supervision_held", KIND, _pair),
    Route("supervisor_absence_started", KIND, _supervisor),
    Route("supervisor_returned", KIND, _supervisor),
    Route("final_assessment_recorded", KIND, _supervisee, primary=False),
)
