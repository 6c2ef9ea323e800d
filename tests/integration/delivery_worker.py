"""A dispatch process: ``python -m tests.integration.delivery_worker URL NOW [BATCH] [GO]``.

It opens the store from its URL and the settings from the environment (``OVERSIGHT_*`` and
the file ``OVERSIGHT_SETTINGS_FILE`` names), as the served ``dispatch`` flow's process would,
runs one dispatch at the instant ``NOW`` (pages of ``BATCH``) and prints its totals as one JSON
line. With ``GO``, it first prints ``{"ready": true}`` and waits for that file to exist, so
several of them start sending at the same moment (the overlapping-runs tests).
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path

from oversight.workflows.bootstrap import open_app
from oversight.workflows.delivery.dispatch import Backoff, dispatch
from oversight.workflows.reads.receivers import close_all
from oversight.workflows.settings import Settings


def main(url: str, now: str, batch: str | None = None, go: str | None = None) -> None:
    app = open_app(Settings(database_url=url))
    at = datetime.fromisoformat(now)
    deliverers = app.deliverers(run_at=at)
    if go is not None:
        sys.stdout.write(json.dumps({"ready": True}) + "\n")
        sys.stdout.flush()
        while not Path(go).exists():
            time.sleep(0.01)
    try:
        totals = dispatch(app.deliveries, deliverers=deliverers, routing=app.settings.routing(),
                          backoff=Backoff.from_policy(app.settings.delivery, random.Random(1)),
                          now=at, batch_size=int(batch) if batch else app.settings.batch_size)
    finally:
        close_all(deliverers)
    sys.stdout.write(json.dumps(totals) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
