"""Routes into a supervisory relationship (``SupervisoryRelationship``), found by its pair.

Finders take ``event: Any``: each is named, in :data:`RULES`, by the declarations that use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oversight.states.directory import Directory
from oversight.states.errors import UnknownEntity
from oversight.states.machines import SupervisoryRelationship
from oversight.workflows.recording.routing.finding import (
    Finder,
    Target,
    live,
)

if TYPE_CHECKING:  # the port is for type checks only
    from oversight.workflows.ports.store import Entities

KIND = SupervisoryRelationship




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


RULES: dict[str, Finder] = {
    "changed_role": _changed_role,
    "person": _person,
    "supervisor": _supervisor,
    "supervisee": _supervisee,
}
"""The finders this lifecycle's declarations name by rule (``by_rule``), by name."""
