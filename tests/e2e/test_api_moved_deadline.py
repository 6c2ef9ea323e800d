"""`GET /v1/tasks/{id}` shows the arithmetic of a due date, a move off a non-working day
included, as `oversight why` does."""

from __future__ import annotations

from oversight.workflows.bootstrap import App
from tests.e2e.api_server import (  # noqa: F401 - fixtures
    api_store,
    client,
    seeded,
    server,
    token,
)


def test_a_task_read_over_http_shows_its_due_date_moved_from_easter_sunday(
        seeded: App, server) -> None:  # type: ignore[no-untyped-def]
    """sw2's ASYE from Mon 5 Jan 2026: 3 months is Sun 5 Apr, Easter Monday next: Tue 7 Apr."""
    with client(server, token(seeded, "admin")) as http:
        tasks = http.get("/v1/entities/asye/sw2/tasks").json()
        review = next(task for task in tasks if task["id"].endswith("review:three_month"))
        task = http.get(f"/v1/tasks/{review['id']}").json()
    assert task["due"] == "2026-04-07"
    assert task["basis"]["unmoved"] == "2026-04-05"
    assert task["basis"]["moved_because"] == ["weekend", "Easter Monday"]
    assert task["basis"]["explain"] == ("3 months after Mon 5 Jan 2026 = Sun 5 Apr 2026, moved "
                                        "to Tue 7 Apr 2026 (weekend, Easter Monday)")
