"""Interrupted and repeated runs.

``audit-kit run`` builds its outputs in a private partial folder beside the target and
renames it into place at the end. Killing a run (SIGKILL, no clean-up possible) at any
point must leave the previous output folder byte-identical; the next run cleans the dead
run's partial folder away. Two runs on the same inputs with the same key give
byte-identical findings.csv and the same subject_ids.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit_kit import outdir
from tests._support import dead_pid, snapshot, start_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo exports, a key, and one complete run as the previous output."""
    from audit_kit.demo import generate

    base = tmp_path_factory.mktemp("atomic")
    generate(base / "data")
    env = {**os.environ, "AUDIT_KIT_KEY_FILE": str(base / "audit.key")}
    out = base / "reports" / "out"
    proc = _start(base, out, env)
    assert proc.wait(timeout=300) == 1, proc.stderr.read()  # 1: error findings
    return base, out, env


def _start(base: Path, out: Path, env: dict) -> subprocess.Popen:
    return start_run(base / "data" / "config.yaml", out, env)


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _partials(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.partial-*"))


def _wait_for(pred, proc: subprocess.Popen, timeout: float = 120) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


KILL_POINTS = {
    "after 0.5 s": 0.5,
    "after 1.5 s": 1.5,
    "after 3 s": 3.0,
    "partial folder created": ".",
    "warehouse written": "warehouse.duckdb",
    "GX validation written": "validation",
    "manifest written (report next)": "manifest.json",
}


@pytest.mark.parametrize("point", list(KILL_POINTS), ids=list(KILL_POINTS))
def test_sigkill_leaves_the_previous_output_untouched(demo, point):
    base, out, env = demo
    before = snapshot(out)
    proc = _start(base, out, env)
    when = KILL_POINTS[point]
    if isinstance(when, float):
        time.sleep(when)
    else:
        def reached() -> bool:
            return any((p / when).exists() for p in _partials(out))
        assert _wait_for(reached, proc), f"the run never reached: {point}"
    assert proc.poll() is None, "the run ended before it could be killed"
    _kill(proc)
    assert snapshot(out) == before
    siblings = {p.name for p in out.parent.iterdir()}
    assert siblings - {"out"} <= {p.name for p in _partials(out)}  # nothing else appeared
    for p in _partials(out):  # what a killed run leaves is private too
        assert p.stat().st_mode & 0o777 == 0o700


def test_next_run_cleans_up_and_repeats_byte_identically(demo):
    base, out, env = demo
    before = (out / "findings.csv").read_bytes()
    dead = dead_pid()
    stale = out.parent / f".{out.name}.partial-{dead}-x"
    stale.mkdir(mode=0o700)
    (stale / outdir.PID_FILE).write_text(f"{dead}\n", encoding="ascii")
    (stale / "warehouse.duckdb").write_bytes(b"left by a killed run")
    proc = _start(base, out, env)
    assert proc.wait(timeout=300) == 1, proc.stderr.read()  # 1: error findings
    assert _partials(out) == []
    after = (out / "findings.csv").read_bytes()
    assert after == before
    ids = _subject_ids(out / "findings.csv")
    assert len(ids) > 20 and all(i.startswith("S-") for i in ids)


def _subject_ids(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return sorted({r["subject_id"] for r in csv.DictReader(f) if r["subject_id"]})


def test_an_output_moved_away_mid_swap_is_restored(tmp_path):
    """A run killed between the two renames leaves ``.out.old-<pid>``: put it back."""
    out = tmp_path / "out"
    old = tmp_path / f".out.old-{dead_pid()}"
    old.mkdir()
    (old / "findings.csv").write_text("rule_id\n", encoding="utf-8")
    (old / "manifest.json").write_text('{"tool": "audit-kit"}\n', encoding="utf-8")
    dead = dead_pid()
    partial = tmp_path / f".out.partial-{dead}-abc"
    partial.mkdir()
    (partial / outdir.PID_FILE).write_text(f"{dead}\n", encoding="ascii")
    live = tmp_path / f".out.partial-{os.getppid()}-def"  # a run still going: left alone
    live.mkdir()
    outdir.sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", live.name])
    assert (out / "findings.csv").read_text(encoding="utf-8") == "rule_id\n"


def test_subject_ids_are_stable_across_runs_with_the_same_key(demo, tmp_path):
    base, out, env = demo
    second = tmp_path / "second"
    proc = subprocess.run(
        [sys.executable, "-m", "audit_kit.cli.main", "run", str(base / "data" / "config.yaml"),
         "--out", str(second), "--no-report"],
        env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert (second / "findings.csv").read_bytes() == (out / "findings.csv").read_bytes()
    assert _subject_ids(second / "findings.csv") == _subject_ids(out / "findings.csv")
