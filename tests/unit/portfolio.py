"""The ASYE portfolio the national framework asks for, as events, for tests that pass a journey."""

from __future__ import annotations

from datetime import date

from oversight.states.events import AsyeEvidenceRecorded


def full_portfolio(worker: str, on: date) -> list[AsyeEvidenceRecorded]:
    """3 direct observations, 3 + 3 pieces of feedback, reflections at six and twelve months."""
    events = [AsyeEvidenceRecorded(on=on, worker=worker, kind=kind)
              for kind in ("direct_observation", "service_user_feedback", "professional_feedback")
              for _ in range(3)]
    events += [AsyeEvidenceRecorded(on=on, worker=worker, kind="critical_reflection", at=point)
               for point in ("six_month", "twelve_month")]
    return events
