"""The Prefect flows under the session's harness, and the deployments `oversight serve` serves."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from oversight.workflows.bootstrap import open_app
from oversight.workflows.flows.deployments import deployments
from oversight.workflows.flows.operations import dispatch, sweep
from oversight.workflows.reads import queries
from oversight.workflows.settings import Settings
from tests.e2e.conftest import Invoke


@pytest.mark.usefixtures("prefect_harness")  # runs a flow: the session's Prefect server
def test_sweep_flow_run_twice_for_the_same_day_fires_nothing_the_second_time(
        store: Path, oversight: Invoke):
    """The second run for 1 June finds no due timer and leaves every table as it was."""
    assert oversight("event", "--type", "assessment_started", "--on", "2026-03-25",
                     "-f", "child=c1", "-f", "worker=sw1", "-f", "manager=tm1").exit_code == 0
    first = sweep(as_of=date(2026, 6, 1))  # the store the environment names: no URL parameter
    assert first["fired"] >= 5 and first["failed"] == 0
    after_first = queries.counts(open_app(Settings(home=store)).store)
    second = sweep(as_of=date(2026, 6, 1))
    assert (second["fired"], second["tasks_opened"], second["tasks_breached"]) == (0, 0, 0)
    assert queries.counts(open_app(Settings(home=store)).store) == after_first
    states = {t["id"]: t["state"] for t in queries.tasks(open_app(Settings(home=store)).store)}
    assert states["assessment:c1:complete"] == "escalated"


@pytest.mark.usefixtures("prefect_harness")  # runs a flow: the session's Prefect server
def test_dispatch_flow_run_twice_delivers_each_message_once(store: Path, oversight: Invoke):
    """Messages are marked delivered after the send; a second run sends none again."""
    assert oversight("event", "--type", "relationship_started", "--on", "2026-01-05",
                     "-f", "supervisor=tm1", "-f", "supervisee=sw1").exit_code == 0
    first, second = dispatch(), dispatch()
    assert (first["routed"], first["delivered"], first["failed"], first["dead"]) == (1, 1, 0, 0)
    assert (second["routed"], second["delivered"]) == (0, 0)
    assert len((store / "outbox" / "tasks.jsonl").read_text().splitlines()) == 1


def test_served_deployments_sweep_daily_at_six_and_hourly_and_dispatch_every_minute():
    """Two deployments: sweep on cron 0 6 * * * (London) and hourly; dispatch every minute."""
    served = {d.name: d for d in deployments()}
    assert set(served) == {"oversight-sweep-served", "oversight-dispatch-served"}
    sweep_schedules = [s.schedule for s in served["oversight-sweep-served"].schedules]
    assert [(getattr(s, "cron", None), getattr(s, "timezone", None)) for s in sweep_schedules][0] \
        == ("0 6 * * *", "Europe/London")
    assert getattr(sweep_schedules[1], "interval", None) == timedelta(hours=1)
    dispatch_schedules = [s.schedule for s in served["oversight-dispatch-served"].schedules]
    assert [getattr(s, "interval", None) for s in dispatch_schedules] == [timedelta(minutes=1)]
    assert served["oversight-sweep-served"].entrypoint == \
        "oversight.workflows.flows.operations.sweep"


def test_no_flow_takes_a_database_url_and_serving_never_touches_the_work_pool_deployments():
    """The flows' parameters (the deployments' run form) hold no store URL; `oversight
    serve` serves names of its own, none of prefect.yaml's, so stopping it pauses only its
    own; prefect.yaml's dispatch runs one at a time, a newcomer cancelled."""
    import inspect

    import yaml

    from oversight.workflows.flows.deployments import WORK_POOL_DEPLOYMENTS

    assert list(inspect.signature(sweep.fn).parameters) == ["as_of", "batch_size"]
    assert list(inspect.signature(dispatch.fn).parameters) == ["batch_size"]
    for served in deployments():  # the run form Prefect's UI draws from this schema
        schema = served._parameter_openapi_schema.model_dump()  # pydantic private field
        assert set(schema["properties"]) <= {"as_of", "batch_size"}
    declared = yaml.safe_load((Path(__file__).parents[2] / "prefect.yaml").read_text())
    names = {d["name"]: d for d in declared["deployments"]}
    assert set(names) == set(WORK_POOL_DEPLOYMENTS) == {"oversight-sweep", "oversight-dispatch"}
    assert not set(names) & {d.name for d in deployments()}
    assert names["oversight-dispatch"]["concurrency_limit"] == {
        "limit": 1, "collision_strategy": "CANCEL_NEW"}
    assert all("database_url" not in (d.get("parameters") or {}) for d in names.values())
