"""Reading a scenario or staff file: YAML without surprises, ISO dates, one line per problem."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import SequenceEndEvent
from yaml.nodes import SequenceNode
from yaml.resolver import Resolver

from oversight.workflows.ports.scenarios import MAX_PROBLEMS, ScenarioInvalid


class _ScenarioLoader(yaml.SafeLoader):
    """YAML 1.1 reads the key ``on`` as ``True`` and bad dates as exceptions: this loader reads
    both as text (``true``/``false`` stay booleans) so that validation can say what is wrong."""


# libyaml's parser (where PyYAML was built with it) under PyYAML's own composer, each item of a
# list built as soon as it is read: a large authority's year is 80,000 lines, a minute in the
# pure-Python parser, and 400 MB of YAML nodes held at once when the whole file is composed
# before it is built (their memory stays with the process for the rest of its run).
try:
    from yaml._yaml import CParser as _Events
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml.parser import Parser as _Events  # type: ignore[assignment]  # the same, slower

_SEQUENCE, _BUILT = "tag:yaml.org,2002:seq", "tag:oversight,2026:built"


class _Built(SequenceNode):
    """A list already built into Python values, standing where its node would be."""

    def __init__(self, value: list[Any], start_mark: Any, end_mark: Any):
        super().__init__(_BUILT, value, start_mark, end_mark)


class _ItemByItemLoader(Composer, _Events, SafeConstructor, Resolver):
    """:class:`_ScenarioLoader`'s reading, by libyaml, a list's items built one at a time."""

    def __init__(self, stream: str):
        _Events.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_sequence_node(self, anchor: Any) -> SequenceNode:
        start: Any = self.peek_event()  # a SequenceStartEvent
        tag = start.tag
        if tag is None or tag == "!":
            tag = self.resolve(SequenceNode, None, start.implicit)
        if tag != _SEQUENCE or anchor is not None:  # what an alias may name: as PyYAML does
            return super().compose_sequence_node(anchor)
        self.get_event()
        node = SequenceNode(tag, [], start.start_mark, None)
        items: list[Any] = []
        while not self.check_event(SequenceEndEvent):
            items.append(self.construct_object(self.compose_node(node, len(items)), deep=True))
            self.constructed_objects.clear()  # let go of the item's nodes
        end: Any = self.get_event()
        return _Built(items, start.start_mark, end.end_mark)

    def read(self) -> Any:
        try:
            return self.get_single_data()
        finally:
            self.dispose()


_ItemByItemLoader.add_constructor(_BUILT, lambda loader, node: node.value)

for _loader in (_ScenarioLoader, _ItemByItemLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers
                if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"))

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: Any) -> date:
    """A ``YYYY-MM-DD`` date, or a ValueError a person can act on."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (write YYYY-MM-DD)")


IsoDate = Annotated[date, BeforeValidator(iso_date)]


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioInvalid(str(path), ["no such file"]) from None
    except OSError as error:
        raise ScenarioInvalid(str(path), [f"cannot be read: {error.strerror}"]) from None
    try:
        return _ItemByItemLoader(text).read()
    except yaml.YAMLError:
        pass  # read again by the pure-Python parser, whose messages the problems quote
    try:
        return yaml.load(text, Loader=_ScenarioLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ScenarioInvalid(path.name, [f"{where}not valid YAML: "
                                          f"{getattr(error, 'problem', None) or error}"]) from None


def pydantic_problem(error: Any) -> str:
    where = ""
    for part in error["loc"]:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    if error["type"] == "missing":
        reason = "required, but missing"
    elif error["type"] == "extra_forbidden":
        reason = "unknown key (a typo?)"
    elif error["type"] == "value_error":
        reason = str(error["ctx"]["error"])
    elif error["type"] == "string_pattern_mismatch":
        reason = f"{error['input']!r} does not match {error['ctx']['pattern']}"
    elif error["type"] == "literal_error":
        reason = f"{error['input']!r} is not one of {error['ctx']['expected']}"
    else:
        reason = error["msg"]
    return f"{where or '(top level)'}: {reason}"


__all__ = ["IsoDate", "MAX_PROBLEMS", "ScenarioInvalid", "iso_date", "pydantic_problem",
           "read_yaml"]
