"""Debian's headless Chromium for the browser tests: where it is, how it is started, and the
skip for a machine without it (.ci/run installs both packages)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# Without the background-networking flags Chromium keeps trying hosts this closed network
# refuses; as root it needs --no-sandbox.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-background-networking",
         "--disable-component-update", "--disable-gpu", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage"]

NEEDS_CHROMIUM = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
           "/usr/bin/chromedriver): .ci/run installs them")


@contextmanager
def headless_chromium(profile: Path, *, window: str = "1280,2000") -> Iterator[Any]:
    """A Selenium driver of a fresh headless Chromium with its own profile folder, quit and
    cleaned up afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--window-size={window}", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
