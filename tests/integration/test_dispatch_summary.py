"""What ``oversight dispatch`` says after a run counts only the receivers that got something."""

from __future__ import annotations

from pathlib import Path

from oversight.adapters.cli.dispatch_summary import dispatch_lines
from oversight.workflows.bootstrap import App
from tests.integration.delivery_fixtures import T0, configured, outbox, run_dispatch, webhook
from tests.integration.delivery_servers import WebhookReceiver


def test_a_receiver_that_got_nothing_is_not_counted_among_those_delivered_to(
        busy: App, receiver: WebhookReceiver, tmp_path: Path) -> None:
    """Every message is routed to lcs and to mosaic, whose port is closed: the run says "to 1
    receiver(s)", and mosaic's line says it got none and has them all to retry."""
    receiver.stop()
    settings = configured(busy, receivers={
        "lcs": {"adapter": "files", "directory": str(tmp_path / "lcs"), "format": "csv"},
        "mosaic": webhook(receiver)})
    rows = outbox(busy)
    totals = run_dispatch(busy, settings, T0)
    lines = dispatch_lines(totals, settings)
    assert lines[0] == f"Delivered {len(rows)} message(s) to 1 receiver(s)."
    assert f"  lcs: {len(rows)} delivered, 0 to retry, 0 dead, 0 held, 0 not yet tried" in lines
    [mosaic] = [line for line in lines if line.startswith("  mosaic: ")]
    assert mosaic.startswith("  mosaic: 0 delivered, ")
