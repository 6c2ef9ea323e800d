"""The served deployments: sweep daily before the working day and every hour; dispatch every minute.

``oversight serve`` passes these to ``prefect.serve``; they then appear in the Prefect UI. They
have names of their own (``oversight-sweep-served``, ``oversight-dispatch-served``): stopping a
served process pauses only these, never the work-pool deployments of ``prefect.yaml``
(``oversight-sweep``, ``oversight-dispatch``), whose entrypoints and pull steps it leaves as
they are. The flows read the store's location from the ``OVERSIGHT_*`` environment of the
serving process and take no database URL as a parameter, so no password is stored with a
deployment or typed into a run's form.
"""

from __future__ import annotations

from datetime import timedelta

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron, Interval

from oversight.workflows.flows.operations import dispatch, sweep

SWEEP_DAILY = "0 6 * * *"
"""06:00 Europe/London, before the working day starts."""
SWEEP_EVERY = timedelta(hours=1)
DISPATCH_EVERY = timedelta(minutes=1)
SERVED_SWEEP = "oversight-sweep-served"
SERVED_DISPATCH = "oversight-dispatch-served"
WORK_POOL_DEPLOYMENTS = ("oversight-sweep", "oversight-dispatch")
"""prefect.yaml's names: never served, so never paused by a served process stopping."""


def deployments() -> list[RunnerDeployment]:
    """The sweep deployment (two schedules) and the dispatch deployment."""
    # Prefect types to_deployment as "a deployment, or a coroutine of one" (it is async-aware);
    # called here, outside any event loop, it returns the deployment itself.
    return [
        sweep.to_deployment(  # type: ignore[list-item]  # a deployment here: see above
            name=SERVED_SWEEP,
            schedules=[Cron(SWEEP_DAILY, timezone="Europe/London"), Interval(SWEEP_EVERY)],
            tags=["oversight"],
            entrypoint_type=EntrypointType.MODULE_PATH,  # importable from any directory
        ),
        dispatch.to_deployment(  # type: ignore[list-item]  # a deployment here: see above
            name=SERVED_DISPATCH,
            schedules=[Interval(DISPATCH_EVERY)],
            # One dispatch at a time, a second line of defence behind the leases: a run still
            # sending (a slow receiver) when the next minute comes makes the newcomer stand down.
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
            tags=["oversight"],
            entrypoint_type=EntrypointType.MODULE_PATH,
        ),
    ]
