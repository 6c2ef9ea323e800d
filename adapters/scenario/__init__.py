"""Scenario files: a team, its children's assessments and a period of dated events (issue 3).

A scenario is what ``oversight simulate`` and ``oversight demo`` run on a virtual clock::

    policy: surrey                 # config/policies/<policy>.yaml
    from: 2026-01-05               # the first simulated day
    to: 2026-12-31                 # the last
    staff:                         # id, role, start date, line manager; qualified date
      - {id: tm1, role: manager, started: 2019-04-01, qualified: 2014-07-01}
      - {id: sw1, role: asye, started: 2026-01-05, manager: tm1}
    relationships:                 # each becomes a relationship_started event
      - {supervisor: tm1, supervisee: sw1, started: 2026-01-05}
    assessments:                   # each becomes an assessment_started event
      - {child: c1, worker: sw1, manager: tm1, started: 2026-03-25}
    events:                        # dated domain events, in the vocabulary of the machines
      - {on: 2026-01-05, type: agreement_signed, supervisor: tm1, supervisee: sw1}

Staff with role ``asye`` are enrolled on their start date (``asye_enrolled``, supervised by their
line manager). Setup events may be dated before ``from`` (the team as it stands when the
simulation starts); every other event must fall within ``from``..``to``.

The file is checked before anything runs (:mod:`.checking`); what the engine makes of its events
is found by the run itself, and a run that meets a refusal lists every problem at once (the
engine's own dry run of the whole timeline, on a temporary store) and leaves no store. A file
with faults of its own gets the dry run's problems with them. Each problem is one line naming
where it is::

    scenario.yaml: events[3]: unknown event type 'supervison_held'; known types: ...
    scenario.yaml: events[5]: the engine refused it: no assessment for child 'c9': record ...

Modules: :mod:`.reading` (YAML, dates, problems), :mod:`.model` (sections and the timeline),
:mod:`.checking` (loading and checking).
"""
from oversight.adapters.scenario.checking import load_scenario, load_staff, scenario_from_mapping
from oversight.adapters.scenario.model import Planned, Scenario
from oversight.adapters.scenario.reading import ScenarioInvalid, iso_date

__all__ = ["Planned", "Scenario", "ScenarioInvalid", "iso_date", "load_scenario", "load_staff",
           "scenario_from_mapping"]
