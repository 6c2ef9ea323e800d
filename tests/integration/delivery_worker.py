"""A dispatch process for the crash test: ``python -m tests.integration.delivery_worker URL NOW``.

It opens the store from its URL and the settings from the environment (``OVERSIGHT_*`` and
the file ``OVERSIGHT_SETTINGS_FILE`` names), as the served ``dispatch`` flow's process would,
runs one dispatch at the instant ``NOW`` and prints its totals as one JSON line.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime

from oversight.workflows.bootstrap import open_app
from oversight.workflows.dispatch import Backoff, dispatch
from oversight.workflows.receivers import close_all
from oversight.workflows.settings import Settings


def main(url: str, now: str) -> None:
    app = open_app(Settings(database_url=url))
    at = datetime.fromisoformat(now)
    deliverers = app.deliverers(run_at=at)
    try:
        totals = dispatch(app.engine, deliverers=deliverers, routing=app.settings.routing(),
                          backoff=Backoff.from_policy(app.settings.delivery, random.Random(1)),
                          now=at, batch_size=app.settings.batch_size)
    finally:
        close_all(deliverers)
    sys.stdout.write(json.dumps(totals) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
