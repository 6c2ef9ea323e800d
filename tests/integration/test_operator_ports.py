"""The ports the CLI's operator commands call (App.secrets, App.custody, App.personal_data),
on a real store (SQLite, and PostgreSQL when the test server is set): what each gives back and
what it leaves written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from oversight.workflows.bootstrap import App

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
"""Mon 1 Jun 2026, 09:00 UTC: when every secret here is issued."""


def test_a_token_for_someone_not_on_staff_is_refused_and_nothing_is_written(app: App):
    """on_staff asks that the person be on staff; nobody is: None, and no token is listed."""
    made = app.secrets.create_token(role="supervisor", person="nobody", now=NOW,
                                    lifetime=timedelta(days=30), acts_for=False, on_staff=True)
    assert made is None
    assert list(app.secrets.tokens()) == []


def test_a_supervisors_token_expires_after_its_lifetime_and_is_listed_without_its_secret(
        app: App):
    """w0 is on the team: a 30-day token issued Mon 1 Jun 09:00 expires Wed 1 Jul 09:00 UTC;
    the list shows its id, role and person, never the secret."""
    made = app.secrets.create_token(role="supervisor", person="w0", now=NOW,
                                    lifetime=timedelta(days=30), acts_for=False, on_staff=True)
    assert made is not None
    record, secret = made
    assert record.expires_at == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    [listed] = app.secrets.tokens()
    shown = listed.to_json()
    assert (shown["id"], shown["role"], shown["person"]) == (record.id, "supervisor", "w0")
    assert secret not in str(shown)


def test_a_rotated_token_is_revoked_and_its_replacement_keeps_role_and_person(app: App):
    """Rotating a live token: a new id, same role and person; the old one can no longer be
    revoked (it is not live), the new one can, once."""
    made = app.secrets.create_token(role="manager", person="tm1", now=NOW,
                                    lifetime=timedelta(days=90), acts_for=False, on_staff=True)
    assert made is not None
    old = made[0]
    rotated = app.secrets.rotate_token(old.id, now=NOW, lifetime=timedelta(days=90))
    assert rotated is not None
    new = rotated[0]
    assert new.id != old.id and new.person == "tm1"
    assert app.secrets.revoke_token(old.id, now=NOW) is False
    assert app.secrets.revoke_token(new.id, now=NOW) is True
    assert app.secrets.revoke_token(new.id, now=NOW) is False


def test_a_feed_is_issued_only_to_staff_and_revoked_once(app: App):
    """No feed for someone not on staff; w0's feed is listed live, revoked once (1), then there
    is none left to revoke (0)."""
    assert app.secrets.issue_feed("nobody", now=NOW) is None
    issued = app.secrets.issue_feed("w0", now=NOW)
    assert issued is not None
    feed, secret = issued
    assert secret.startswith("cal_")
    assert [(f.id, f.person, f.revoked_at) for f in app.secrets.feeds()] == [(feed.id, "w0", None)]
    assert app.secrets.revoke_feed("w0", now=NOW) == 1
    assert app.secrets.revoke_feed("w0", now=NOW) == 0


def test_a_new_stores_chains_verify_then_an_anchor_and_a_new_key_are_taken(app: App):
    """After init both chains hold and no anchor exists; one anchor is appended (number 1) and
    verify then counts it; a rotation names the old and new key and the key file."""
    verdicts, anchors = app.custody.verify()
    assert [(v.table, v.intact) for v in verdicts] == [("audit", True), ("access_log", True)]
    assert (anchors.intact, anchors.anchors) == (True, 0)
    line = app.custody.anchor(now=NOW, reader="operator:test")
    assert line["n"] == 1 and set(line["heads"]) == {"audit", "access_log"}
    assert app.custody.verify()[1].anchors == 1
    turn = app.custody.rotate_key(now=NOW)
    assert turn.old != turn.new
    assert turn.key_file == str(app.settings.audit_key_path)
    assert all(v.intact for v in app.custody.verify()[0])


def test_no_one_in_service_is_due_for_destruction_and_a_purge_erases_nobody(app: App):
    """The team all still work here: on Mon 1 Jun 2026 nobody's file is due, so none is left
    to destroy and the purge erases no one."""
    assert app.personal_data.due_for_destruction(date(2026, 6, 1)) == []
    assert app.personal_data.not_yet_destroyed(date(2026, 6, 1)) == []
    assert app.personal_data.purge(as_of=date(2026, 6, 1), now=NOW, actor="operator:test") == []
