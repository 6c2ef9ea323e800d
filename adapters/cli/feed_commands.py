"""``oversight feed issue|revoke|list``: each person's calendar feed URL (issue 13).

A feed is one person's supervision calendar at ``<link_base>/v1/feeds/<secret>.ics``, also
given as ``webcal://…`` for "subscribe from URL": read-only, revocable, and not an API token.
Issuing a new one revokes the person's old one. Registered on the app by :func:`register`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import typer

from oversight.adapters import clock
from oversight.adapters.cli.console import JsonFlag, fail, handled, out, print_json
from oversight.adapters.cli.operator_reads import log_read
from oversight.adapters.cli.runtime import open_store

feed_app = typer.Typer(help="Calendar feeds: a person's supervision calendar by URL, for "
                            "subscribing from Outlook or Google Calendar.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the commands of this module to ``app``."""
    app.add_typer(feed_app, name="feed")


def feed_urls(link_base: str, secret: str) -> dict[str, str]:
    """The feed's address over HTTPS (or HTTP) and as ``webcal://`` for subscribing."""
    url = f"{link_base.rstrip('/')}/v1/feeds/{secret}.ics"
    parts = urlsplit(url)
    return {"url": url, "webcal": "webcal://" + parts.netloc + parts.path}


@feed_app.command("issue")
def issue(person: str = typer.Argument(..., help="A staff id."),
          as_json: bool = JsonFlag) -> None:
    """Make PERSON's feed URL (shown once), revoking the one they had."""
    with handled():
        ready = open_store()
        issued = ready.secrets.issue_feed(person, now=clock.now())
        if issued is None:
            fail(f"no staff member {person!r}; `oversight import staff` adds them")
        feed, secret = issued
        urls = feed_urls(ready.settings.link_base, secret)
    if as_json:
        print_json({"id": feed.id, "person": person, **urls})
        return
    console = out()
    console.print(f"Calendar feed {feed.id} for {person} (shown once; anyone with it can read "
                  f"{person}'s supervision calendar until it is revoked):", markup=False)
    console.print(f"  {urls['webcal']}", markup=False, soft_wrap=True)
    console.print(f"  {urls['url']}", markup=False, soft_wrap=True)
    console.print(f"Revoke it with `oversight feed revoke {person}`.", markup=False)


@feed_app.command("revoke")
def revoke(person: str = typer.Argument(..., help="A staff id."),
           as_json: bool = JsonFlag) -> None:
    """Revoke PERSON's feed: its URL answers 404 from now on."""
    with handled():
        count = open_store().secrets.revoke_feed(person, now=clock.now())
    if count == 0:
        fail(f"{person!r} has no live calendar feed")
    if as_json:
        print_json({"person": person, "revoked": count})
        return
    out().print(f"Revoked {person}'s calendar feed.", markup=False)


@feed_app.command("list")
def listing(as_json: bool = JsonFlag) -> None:
    """Every feed issued: its id, person, when issued and revoked (never its secret)."""
    with handled():
        ready = open_store()
        feeds = ready.secrets.feeds()
        log_read(ready.store, "feed-list", [f"person:{f.person}" for f in feeds])
    rows = [{"id": f.id, "person": f.person, "issued": f.created_at.isoformat(),
             "revoked": f.revoked_at.isoformat() if f.revoked_at else None} for f in feeds]
    if as_json:
        print_json(rows)
        return
    console = out()
    for row in rows:
        console.print(f"{row['id']}  {row['person']}  issued {row['issued']}"
                      + (f", revoked {row['revoked']}" if row["revoked"] else ", live"),
                      markup=False)
    if not rows:
        console.print("No calendar feed issued.", markup=False)
