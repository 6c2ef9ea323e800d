"""A read command's settings without pydantic: the same four values the full settings read, and
nothing at all (so the full settings decide) whenever anything else could matter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oversight.workflows.settings import Settings
from oversight.workflows.store_settings import FIELDS, NOT_SETTINGS, StoreSettings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower().startswith("oversight_"):
            monkeypatch.delenv(name)


def _as_full_settings_read_them() -> tuple[Path, str | None, str, Path | None, str]:
    full = Settings()
    return full.home, full.database_url, full.policy, full.policy_dir, full.url


def _as_store_settings_read_them() -> tuple[Path, str | None, str, Path | None, str]:
    light = StoreSettings.from_environment()
    assert light is not None
    return light.home, light.database_url, light.policy, light.policy_dir, light.url


def test_with_nothing_set_both_read_the_store_under_dot_oversight_running_surrey() -> None:
    """No variable: ./.oversight/oversight.db, the surrey policy, no policy folder."""
    expected = (Path(".oversight"), None, "surrey", None,
                f"sqlite:///{Path('.oversight/oversight.db').resolve()}")
    assert _as_store_settings_read_them() == expected
    assert _as_full_settings_read_them() == expected


@pytest.mark.parametrize("variables", [
    {"OVERSIGHT_HOME": "/srv/oversight", "OVERSIGHT_POLICY": "devon"},
    {"OVERSIGHT_DATABASE_URL": "postgresql://app@db/oversight",
     "OVERSIGHT_POLICY_DIR": "policies"},
    {"oversight_home": "lower/case", "OVERSIGHT_PURPOSE": "audit"},
    {"OVERSIGHT_HOME": "", "OVERSIGHT_DATABASE_URL": "", "OVERSIGHT_POLICY_DIR": ""},
], ids=["home and policy", "url and policy folder", "any case, purpose", "empty values"])
def test_the_four_store_settings_are_read_as_the_full_settings_read_them(
        variables: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each variable, in any case and even empty, gives the value pydantic-settings gives."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert _as_store_settings_read_them() == _as_full_settings_read_them()


@pytest.mark.parametrize("name, value", [
    ("OVERSIGHT_SETTINGS_FILE", "settings.yaml"),
    ("OVERSIGHT_RECEIVERS__MOSAIC__URL", "https://mosaic.example/hook"),
    ("OVERSIGHT_BATCH_SIZE", "not a number"),
    ("OVERSIGHT_SOMETHING_NEW", "1"),
])
def test_any_other_setting_leaves_the_decision_to_the_full_settings(
        name: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A settings file, a receiver, a bad batch size or a name not known to be ignored: None."""
    monkeypatch.setenv(name, value)
    assert StoreSettings.from_environment() is None


def test_the_same_setting_named_in_two_cases_leaves_the_decision_to_the_full_settings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """OVERSIGHT_HOME and oversight_home together: which wins is pydantic's business."""
    monkeypatch.setenv("OVERSIGHT_HOME", "/a")
    monkeypatch.setenv("oversight_home", "/b")
    assert StoreSettings.from_environment() is None


def test_the_variables_passed_over_are_not_settings_and_the_four_are() -> None:
    """NOT_SETTINGS names no field of Settings (nor a nested one); FIELDS are fields with
    the same defaults."""
    fields = Settings.model_fields
    assert not {name for name in NOT_SETTINGS
                if name in fields or any(name.startswith(f"{field}__") for field in fields)}
    defaults = StoreSettings()
    assert {name: fields[name].default for name in FIELDS} == {
        name: getattr(defaults, name) for name in FIELDS}
