"""The dispatch benchmark: ``python -m bench.dispatch [--size tiny|quick|full]`` (``make bench``).

Messages delivered per second to a webhook receiver on loopback, signed (HMAC-SHA256 over
timestamp and body, checked by the receiver) and unsigned. Each mode gets a fresh SQLite store
holding ``--messages`` pending task messages (CloudEvents as the service writes them, one task
each), and runs one dispatch as the ``dispatch`` flow's tasks do (routing, then pages of
``--batch`` messages, each send followed by its outcome's record), without Prefect's own
per-task cost. The receiver is a threaded ``http.server`` with keep-alive, in this process.
"""

from __future__ import annotations

import argparse
import base64
import random
import resource
import shutil
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.figures import Figure, write_figures

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
SECRET = "whsec_" + base64.b64encode(b"bench-webhook-secret-of-32-bytes").decode()
"""The endpoint's Standard Webhooks secret."""
SIZES = {"tiny": 200, "quick": 1_000, "full": 5_000}
"""Messages per mode."""


class Receiver:
    """Counts each webhook-id; checks each Standard Webhooks signature when it has a secret."""

    def __init__(self, secret: str | None):
        from oversight.adapters.delivery.webhook import signing_key, verify

        key = signing_key(secret) if secret is not None else None
        self.keys: set[str] = set()
        self.requests = 0
        self.bad = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ident = self.headers["webhook-id"]
                if key is not None and not verify(
                        key, ident, self.headers["webhook-timestamp"], body,
                        self.headers["webhook-signature"], now=time.time()):
                    receiver.bad += 1
                receiver.requests += 1
                receiver.keys.add(ident)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tasks"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def build_store(path: Path, messages: int) -> str:
    """A fresh store with ``messages`` pending task messages; its URL."""
    from oversight.adapters.store.unit_of_work import SqlUnitOfWork
    from oversight.workflows.bootstrap import initialise
    from oversight.workflows.recording.messages import task_message
    from oversight.workflows.settings import Settings

    url = f"sqlite:///{path}"
    app = initialise(Settings(home=path.parent, database_url=url), "surrey")
    rule = {"authority": "surrey", "section": "4.1", "rule": "assessment.oversight_points.day10",
            "version": "2024-12"}
    rows = []
    for number in range(messages):
        raised = date(2026, 3, 2) + timedelta(days=number % 60)
        task = {"id": f"assessment:c{number}:mo:day10", "type": "management_oversight",
                "state": "open", "assignee": f"tm{number % 40}", "assignee_role": "manager",
                "subject": f"child:c{number}", "raised_on": raised,
                "due": raised + timedelta(days=14), "rule": rule,
                "basis": {"explain": f"{raised.isoformat()} + 10 working days = "
                                     f"{(raised + timedelta(days=14)).isoformat()}"},
                "escalates": None}
        rows.append(task_message(task, "opened", raised, now=NOW - timedelta(minutes=1),
                                 authority="surrey", link_base="https://oversight.example"))
    with SqlUnitOfWork(app.engine) as uow:
        for start in range(0, len(rows), 1000):
            uow.outbox.add(rows[start:start + 1000])
        uow.commit()
    app.engine.dispose()
    return url


def run(mode: str, store: Path, messages: int, batch: int) -> dict[str, Any]:
    """One dispatch of every message to the receiver; the time it took."""
    from oversight.adapters.delivery.receivers import build_deliverers
    from oversight.workflows.bootstrap import delivery_store
    from oversight.workflows.delivery.dispatch import Backoff, dispatch
    from oversight.workflows.reads.receivers import close_all
    from oversight.workflows.settings import Settings

    signed = mode == "signed"
    receiver = Receiver(SECRET if signed else None)
    url = f"sqlite:///{store}"
    hook: dict[str, Any] = {"adapter": "webhook", "url": receiver.url, "timeout_seconds": 10}
    hook.update({"secret": SECRET} if signed else {"signed": False})
    # pydantic validates the plain mapping into a webhook receiver, as it does a settings file
    settings = Settings(home=store.parent, database_url=url, receivers={"bench": hook})
    deliverers = build_deliverers(settings, run_at=NOW)
    started = time.perf_counter()
    try:
        totals = dispatch(delivery_store(url), deliverers=deliverers, routing=settings.routing(),
                          backoff=Backoff.from_policy(settings.delivery, random.Random(1)),
                          now=NOW, batch_size=batch)
    finally:
        took = time.perf_counter() - started
        close_all(deliverers)
        receiver.stop()
    return {"mode": mode, "delivered": totals["delivered"], "failed": totals["failed"],
            "seconds": took, "received": len(receiver.keys), "requests": receiver.requests,
            "bad_signatures": receiver.bad, "per_second": totals["delivered"] / took}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--messages", type=int, help="default by --size: " + ", ".join(
        f"{k} {v:,}" for k, v in SIZES.items()))
    parser.add_argument("--figures", type=Path, help="write the figures here as JSON")
    parser.add_argument("--batch", type=int, default=500, help="messages per page")
    parser.add_argument("--modes", default="unsigned,signed")
    parser.add_argument("--dir", type=Path, default=REPO / ".oversight" / "bench" / "dispatch")
    args = parser.parse_args(argv)
    args.messages = args.messages or SIZES[args.size]

    from rich.console import Console
    from rich.table import Table

    shutil.rmtree(args.dir, ignore_errors=True)
    args.dir.mkdir(parents=True, exist_ok=True)
    template = args.dir / "template.db"
    started = time.perf_counter()
    build_store(template, args.messages)
    built = time.perf_counter() - started

    table = Table(title=f"Dispatch of {args.messages:,} task messages to a webhook receiver on "
                        f"loopback (SQLite store, pages of {args.batch}; store built in "
                        f"{built:.1f} s)")
    for column in ("mode", "delivered", "received once", "bad signatures", "seconds",
                   "messages/s"):
        table.add_column(column, justify="right")
    figures: list[Figure] = []
    for number, mode in enumerate(args.modes.split(",")):
        store = args.dir / f"{number}-{mode}.db"
        shutil.copyfile(template, store)
        result = run(mode, store, args.messages, args.batch)
        table.add_row(mode, f"{result['delivered']:,}", f"{result['received']:,}",
                      f"{result['bad_signatures']}", f"{result['seconds']:.2f}",
                      f"{result['per_second']:,.0f}")
        assert result["delivered"] == result["received"] == args.messages, result
        figures.append(Figure("dispatch", f"dispatch {args.messages:,} messages to a webhook on "
                              f"loopback, {mode}", result["per_second"], "messages/s"))
    Console(width=max(Console().width, 120)).print(table)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    write_figures(args.figures, [Figure(**{**f.__dict__, "peak_rss_mb": peak}) for f in figures])


if __name__ == "__main__":
    main()
