"""The hooks of ``tests/e2e/test_api_schema.py``'s schemathesis run, loaded by ``schemathesis
run`` through ``SCHEMATHESIS_HOOKS``: each generated request goes out with the token of the next
role in turn (``SCHEMA_TEST_TOKENS``, JSON role → token; the role is in ``X-Purpose``, so a
failure's reproduction names it), and a request the OpenAPI document allows (generated in
positive mode) is never refused as malformed (422), but for one documented kind.

The one kind is ``urn:oversight:problem:event-date-refused``: an event's dates against today
(nothing is recorded before it happened) and against each other (a session planned for a day
before it was planned), which a JSON Schema cannot state (docs/api.md). Every other rule
between fields is in the document (``oneOf``, ``anyOf``, ``not``), so its breach is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

import schemathesis

_TOKENS = json.loads(os.environ.get("SCHEMA_TEST_TOKENS", "{}"))
_TURNS = itertools.cycle(sorted(_TOKENS.items()))


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """The next role's token, and the role named in X-Purpose."""
    if not _TOKENS:
        return
    role, secret = next(_TURNS)
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {secret}",
                    "X-Purpose": f"schema test as {role}"}

DATES = "urn:oversight:problem:event-date-refused"


@schemathesis.check
def schema_valid_requests_are_not_refused_as_malformed(ctx: Any, response: Any,
                                                       case: Any) -> None:
    """Positive data answered 422: a failure, unless the problem is a date refused."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    try:
        kind = response.json().get("type")
    except ValueError:
        kind = None
    if kind != DATES:
        raise AssertionError(f"the document allows this request, the server refused it as "
                             f"malformed: {response.text[:300]}")
