"""Shared fixtures: a private pseudonymisation key, one demo run and one planted report
run per session. What tests share besides fixtures (paths, builders) is in
``tests/_support.py``; test modules import from there, never from here."""

from __future__ import annotations

import os

import pytest

from tests._support import Planted, build_planted

#: fixtures that generate and audit a whole demo company: a test using one is end to end
END_TO_END = {"demo_run", "planted"}


def pytest_collection_modifyitems(items):
    """Mark every test that uses an end-to-end fixture ``slow`` (``make check`` skips them),
    so the fast lane stays unit tests without a marker to remember per test."""
    for item in items:
        if END_TO_END & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _private_key(tmp_path_factory):
    """Never touch the user's real key: every test session gets its own."""
    if "AUDIT_KIT_KEY_FILE" not in os.environ:
        os.environ["AUDIT_KIT_KEY_FILE"] = str(tmp_path_factory.mktemp("key") / "subject.key")
    yield


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo company generated and audited once: (ctx, AuditResult)."""
    from audit_kit.demo import generate
    from audit_kit.pipeline import run_audit

    base = tmp_path_factory.mktemp("demo")
    ctx = generate(base / "data")
    result = run_audit(base / "data" / "config.yaml", out=base / "out")
    return ctx, result


@pytest.fixture(scope="session")
def planted(tmp_path_factory) -> Planted:
    """The planted report run (:func:`tests._support.build_planted`), built once."""
    return build_planted(tmp_path_factory.mktemp("report"))
