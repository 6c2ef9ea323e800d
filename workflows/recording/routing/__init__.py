"""Which entities an event concerns: one route table, one module per lifecycle.

:mod:`~oversight.workflows.recording.routing.table` assembles the routes of every lifecycle module
(``assessment``, ``asye``, ``relationship``, ``child_supervision``, ``session``, ``oversight``,
``team_activity``, ``supervision_file``); each route names the lifecycle it reaches and how it
finds the entity (:mod:`~oversight.workflows.recording.routing.finding`). What a lifecycle then
does with the event is its machine's (``handlers``, ``starts_on``).
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
    LIFECYCLE_ROUTES,
    ROUTE_TABLE,
    lifecycles_reached,
    route,
    routes_of,
    subject_and_party,
)

__all__ = ["LIFECYCLE_ROUTES", "ROUTE_TABLE", "Route", "Target", "create", "existing",
           "lifecycles_reached", "people_named", "require_staff", "route", "routes_of",
           "subject_and_party"]
