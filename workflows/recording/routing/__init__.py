"""Which entities an event concerns: one route table, derived from the event types' declarations.

:mod:`~oversight.workflows.recording.routing.table` holds the routes
:mod:`~oversight.workflows.recording.routing.declared` derives from each type's declaration
(``states/events``); a declaration finds an entity by the event's fields, or by a rule one of the
lifecycle modules (``assessment``, ``asye``, ``relationship``, ``child_supervision``,
``session``, ``oversight``, ``team_activity``, ``supervision_file``) lists in its ``RULES``. What
a lifecycle then does with the event is its machine's (``handlers``, derived from the same
declarations).
"""

from oversight.workflows.recording.routing.finding import (
    Route,
    Target,
    create,
    existing,
    people_named,
    require_staff,
)
from oversight.workflows.recording.routing.table import (
    ROUTE_TABLE,
    Router,
    lifecycles_reached,
    route,
    routes_of,
    subject_and_party,
)

__all__ = ["ROUTE_TABLE", "Route", "Router", "Target", "create", "existing",
           "lifecycles_reached", "people_named", "require_staff", "route", "routes_of",
           "subject_and_party"]
