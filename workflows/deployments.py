"""The served deployments: sweep daily before the working day and every hour; dispatch every minute.

``oversight serve`` passes these to ``prefect.serve``; they then appear in the Prefect UI. The
flows read the store's location from the ``OVERSIGHT_*`` environment of the serving process, so
no database URL (which may hold a password) is stored with a deployment.
"""

from __future__ import annotations

from datetime import timedelta

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Interval

from oversight.workflows.flows import dispatch, sweep

SWEEP_DAILY = "0 6 * * *"
"""06:00 Europe/London, before the working day starts."""
SWEEP_EVERY = timedelta(hours=1)
DISPATCH_EVERY = timedelta(minutes=1)


def deployments() -> list[RunnerDeployment]:
    """The sweep deployment (two schedules) and the dispatch deployment."""
    return [
        sweep.to_deployment(
            name="oversight-sweep",
            schedules=[Cron(SWEEP_DAILY, timezone="Europe/London"), Interval(SWEEP_EVERY)],
            tags=["oversight"],
            entrypoint_type=EntrypointType.MODULE_PATH,  # importable from any directory
        ),
        dispatch.to_deployment(
            name="oversight-dispatch",
            schedules=[Interval(DISPATCH_EVERY)],
            # One dispatch at a time: a run still sending (a slow receiver) when the next minute
            # comes makes the newcomer stand down, rather than send the same messages twice.
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
            tags=["oversight"],
            entrypoint_type=EntrypointType.MODULE_PATH,
        ),
    ]
