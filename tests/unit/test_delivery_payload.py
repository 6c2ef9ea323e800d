"""The allow-list every adapter builds its output from: names and narrative never leave."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pytest

from oversight.adapters.delivery.chat import ChatDeliverer
from oversight.adapters.delivery.email import SmtpDeliverer
from oversight.adapters.delivery.files import FIELDS, BatchFileDeliverer, record
from oversight.adapters.delivery.jsonl import JsonLinesFile
from oversight.adapters.delivery.payload import ATTRIBUTES, DATA, RULE, outbound, summary
from oversight.adapters.delivery.ports import PayloadRefused
from oversight.adapters.delivery.webhook import WebhookDeliverer, new_secret
from tests.unit.delivery_messages import MESSAGE, message

NAME = "Amelia Hartley-Quinn"
NARRATIVE = "Mother disclosed that the home was cold"


def tainted() -> dict:
    """A message into which a bug has put a child's name and case narrative."""
    made = message(child_name=NAME, narrative=NARRATIVE, child={"id": "c1", "name": NAME})
    made["childname"] = NAME
    made["data"]["rule"]["quote"] = NARRATIVE
    return made


def test_a_well_formed_message_passes_the_allow_list_unchanged() -> None:
    """Every field the store writes is on the list: the outbound event equals the message;
    the dispatcher adds only its place in the order (``sequence``, ``data.follows``)."""
    assert outbound(MESSAGE) == MESSAGE
    assert set(MESSAGE) == set(ATTRIBUTES) - {"sequence"} | {"data"}
    assert set(MESSAGE["data"]) == set(DATA) - {"follows"} | {"rule"}
    # A local rule's reference; a national text's adds the two keys of the next test.
    assert set(MESSAGE["data"]["rule"]) == set(RULE) - {"source", "adopted_by"}
    sent = {**MESSAGE, "sequence": "42", "data": {**MESSAGE["data"], "follows": "17"}}
    assert outbound(sent) == sent


def test_a_national_rule_goes_out_naming_its_text_and_the_section_adopting_it() -> None:
    """Surrey §4.1 restates Working Together's 45 working days: the message names the national
    text, and the summary a person reads cites it, never as a section of Surrey's policy."""
    rule = {"authority": "surrey", "section": "Chapter 3", "rule": "assessment.completion",
            "version": "2024-12", "source": "Working Together 2023", "adopted_by": "4.1"}
    national = {**MESSAGE, "data": {**MESSAGE["data"], "rule": rule}}
    assert outbound(national) == national
    assert summary(national)["rule"] == "Working Together 2023 Chapter 3 (adopted by surrey §4.1)"
    unadopted = {**national, "data": {**national["data"], "rule": {
        **{k: v for k, v in rule.items() if k != "adopted_by"}, "authority": "hull"}}}
    assert summary(unadopted)["rule"] == "Working Together 2023 Chapter 3 (applied by hull)"
    assert summary(MESSAGE)["rule"] == "surrey §4.1"


def test_a_moved_due_dates_arithmetic_may_leave_the_store_but_not_a_name() -> None:
    """``computed`` in either form (a count from a date, or a date moved off a weekend) goes
    out; a name in its place refuses the message."""
    moved = "4 weeks after Sat 4 Apr 2026 = Sat 2 May 2026, moved to Mon 4 May 2026 (weekend)"
    made = {**MESSAGE, "data": {**MESSAGE["data"], "computed": moved}}
    assert outbound(made)["data"]["computed"] == moved
    with pytest.raises(PayloadRefused, match="data.computed"):
        outbound({**MESSAGE, "data": {**MESSAGE["data"], "computed": NAME}})


def test_fields_off_the_allow_list_are_left_behind_wherever_they_are() -> None:
    """An extension attribute, extra data fields and the rule's quote do not go out."""
    event = outbound(tainted())
    assert event == MESSAGE
    assert NAME not in json.dumps(event) and NARRATIVE not in json.dumps(event)


@pytest.mark.parametrize(("field", "value"), [
    ("due", "10 April 2026"), ("due", "2026-04-10 with Amelia"), ("task_type", "Amelia Hartley"),
    ("raised_on", {"date": "2026-03-25"}), ("link", "javascript:alert(1)"),
    ("assignee", "tm1\nAmelia"), ("computed", "Amelia's case: see notes"),
])
def test_an_allowed_field_out_of_shape_refuses_the_message_naming_only_the_field(
        field: str, value: object) -> None:
    """A date that is not an ISO date, a type that is not a word: refused, not sent; the
    refusal names the field and never quotes the value."""
    with pytest.raises(PayloadRefused) as refusal:
        outbound(message(**{field: value}))
    assert f"data.{field}" in str(refusal.value)
    assert "Amelia" not in str(refusal.value)


def test_a_message_without_its_id_due_date_or_link_is_refused() -> None:
    """What every receiver needs must be there."""
    for missing in ("due", "link", "task_id"):
        made = message()
        del made["data"][missing]
        with pytest.raises(PayloadRefused, match=f"it has no {missing}"):
            outbound(made)


def test_every_adapter_emits_only_allow_listed_fields_and_never_a_name(tmp_path: Path) -> None:
    """Webhook body, e-mail (both parts and headers), chat title and body, CSV and JSON Lines
    rows and the CloudEvents line: built from a tainted message, none holds the name."""
    posted: list[httpx.Request] = []
    hook = WebhookDeliverer("https://x.example/hook", secret=new_secret(), client=httpx.Client(
        transport=httpx.MockTransport(lambda r: posted.append(r) or httpx.Response(200))))
    hook.deliver(tainted())
    mail = SmtpDeliverer(host="smtp.example", port=587, sender="o@council.example",
                         recipients=["tm@council.example"]).compose(tainted())
    title, body = ChatDeliverer("json://127.0.0.1:9/notify").compose(tainted())
    csv_files = BatchFileDeliverer(tmp_path / "csv", format="csv")
    csv_files.deliver_many([tainted()])
    json_files = BatchFileDeliverer(tmp_path / "jsonl", format="jsonl")
    json_files.deliver_many([tainted()])
    archive = JsonLinesFile(tmp_path / "tasks.jsonl")
    archive.deliver(tainted())

    emitted = {"webhook": posted[0].content.decode(), "email": mail.as_string(),
               "chat": title + body, "csv": csv_files.written[0].read_text(),
               "jsonl": json_files.written[0].read_text(),
               "cloudevents": archive.path.read_text()}
    for adapter, text in emitted.items():
        assert "Amelia" not in text and "Hartley" not in text, adapter
        assert "disclosed" not in text and "child_name" not in text, adapter
    webhook_event = json.loads(emitted["webhook"])
    assert set(webhook_event) <= set(ATTRIBUTES) | {"data"}
    assert set(webhook_event["data"]) <= set(DATA) | {"rule"}
    assert tuple(next(csv.reader(io.StringIO(emitted["csv"])))) == FIELDS
    assert tuple(json.loads(emitted["jsonl"])) == FIELDS


def test_what_a_person_reads_is_the_change_type_due_date_rule_and_link() -> None:
    """The summary for e-mail and chat: no arithmetic, no quote, no narrative."""
    assert summary(tainted()) == {
        "id": MESSAGE["id"], "change": "opened", "task_id": "assessment:c1:mo:day10",
        "task_type": "management_oversight", "task_label": "management oversight",
        "assignee": "tm1", "raised_on": "2026-03-25", "due": "2026-04-10",
        "rule": "surrey §4.1", "rule_path": "assessment.oversight_points.day10",
        "link": "https://oversight.example.gov.uk/tasks/assessment:c1:mo:day10"}


def test_a_file_row_puts_a_childs_id_in_child_id_and_a_workers_in_worker_id() -> None:
    """Census-like columns: LAchildID-like ``child_id``; ISO dates named ``*_date``."""
    row = record(MESSAGE)
    assert (row["child_id"], row["worker_id"], row["due_date"], row["raised_date"]) == \
        ("c1", "", "2026-04-10", "2026-03-25")
    worker = record(message(subject="supervisee:w1"))
    assert (worker["child_id"], worker["worker_id"]) == ("", "w1")
