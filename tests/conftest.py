"""Shared test configuration. Each real service has its own fixture module under tests/fixtures/."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.dovecot",
    "tests.fixtures.stripe",
    "tests.fixtures.browser",
    "tests.fixtures.keyring",
    "tests.fixtures.xvfb",
]
