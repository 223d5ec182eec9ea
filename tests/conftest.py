"""Shared fixtures: a private pseudonymisation key, the corpora, one demo run per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
CORPORA = REPO.parent / "shared" / "corpora"
POLICY = REPO / "audits" / "policy.yaml"


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


def sink_for(kind: str, source: str = "x", system: str = "billing"):
    from audit_kit.warehouse import SourceSink, connect

    con = connect()
    return con, SourceSink(con, source=source, kind=kind, system=system)


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every path under *root* (links not followed) -> (mode, SHA-256 of a file's bytes or
    '' for a folder): equal snapshots mean not a byte or a mode changed."""
    import hashlib

    out = {".": (root.lstat().st_mode, "")}
    for p in sorted(root.rglob("*")):
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        out[str(p.relative_to(root))] = (p.lstat().st_mode, digest)
    return out


def start_run(config: Path, out: Path, env: dict, *extra: str):
    """``audit-kit run CONFIG --out OUT`` in a subprocess with its own process group (a
    terminal's Ctrl-C reaches the group; the report kernel dies with it)."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "audit_kit.cli.main", "run", str(config), "--out", str(out),
         *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def dead_pid() -> int:
    """The pid of a process that has ended."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
