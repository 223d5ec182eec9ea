"""The output folders: never destroy what the user did not give us (audit_kit.outdir).

A refused ``--out`` (the project folder, the inputs, a folder with a user's file, a file)
is exit 2 with one line and every byte and mode of the tree unchanged; a re-run into an
earlier run folder keeps ``subjects/``; only folders audit-kit creates are owner-only;
SIGTERM and Ctrl-C leave no temporary copy and the previous output as it was; two
identical runs give byte-identical outputs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from audit_kit.cli.main import main
from tests._support import DATA, POLICY, dead_pid, snapshot, start_run


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A user's project folder: config, inputs (a CSV and a mail folder), a note."""
    proj = tmp_path / "proj"
    (proj / "data" / "billing").mkdir(parents=True)
    shutil.copyfile(DATA / "tabular" / "customers_english.csv",
                    proj / "data" / "billing" / "customers.csv")
    shutil.copytree(DATA / "mail" / "eml", proj / "data" / "mail")
    (proj / "notes.txt").write_text("the user's own notes\n", encoding="utf-8")
    (proj / "mine").mkdir()
    (proj / "mine" / "draft.txt").write_text("a user's file\n", encoding="utf-8")
    (proj / "config.yaml").write_text(
        f"organisation: Testi Oy\npolicy: {POLICY}\nas_of: '2026-12-31'\nsources:\n"
        "  - {name: customers, kind: customers_csv, path: data/billing/customers.csv, "
        "system: billing}\n"
        "  - {name: mail, kind: eml, path: data/mail, system: mail}\n",
        encoding="utf-8")
    os.chmod(tmp_path, 0o755)
    monkeypatch.chdir(proj)
    return proj


REFUSED = {
    "the project folder (--out .)": (".", "is the folder"),
    "the inputs' folder": ("data", "holds the input"),
    "inside an input folder": ("data/mail/out", "is inside the input"),
    "an input file": ("data/billing/customers.csv", "is a file"),
    "a folder with a user's file": ("mine", "is not an earlier audit-kit run"),
    "a file": ("notes.txt", "is a file"),
    "under a file": ("notes.txt/out", "lies under a file"),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_refused_out_is_exit_2_and_touches_nothing(project, capsys, case):
    out, says = REFUSED[case]
    before = snapshot(project.parent)
    assert main(["run", "config.yaml", "--out", out]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--out {out} " in err and says in err, err
    assert snapshot(project.parent) == before


def test_demo_refuses_a_data_folder_that_is_not_a_demo(project, capsys):
    before = snapshot(project.parent)
    assert main(["demo", "--data", "data", "--out", "reports/demo"]) == 2
    assert "--data data holds files and is not an earlier demo" in capsys.readouterr().err
    assert main(["demo", "--data", "fresh", "--out", "fresh"]) == 2  # out = the data
    assert "--out fresh is the folder" in capsys.readouterr().err
    assert snapshot(project.parent) == before


def test_report_and_subject_refuse_folders_that_are_not_theirs(project, capsys):
    before = snapshot(project.parent)
    assert main(["report", "mine"]) == 2
    assert "not an audit-kit run folder" in capsys.readouterr().err
    assert main(["subject", "mine", "--email", "a@b.fi", "--out", "data"]) == 2
    assert snapshot(project.parent) == before


def test_created_folders_are_private_existing_ones_keep_their_modes(project, capsys):
    parent = project / "shared"
    parent.mkdir(mode=0o775)
    os.chmod(parent, 0o775)
    old = os.umask(0)
    try:
        rc = main(["run", "config.yaml", "--out", "shared/a/b/out", "--no-report"])
    finally:
        os.umask(old)
    assert rc in (0, 1), capsys.readouterr().err
    assert parent.stat().st_mode & 0o777 == 0o775
    for d in ("a", "a/b", "a/b/out"):
        assert (parent / d).stat().st_mode & 0o777 == 0o700, d
    assert sorted(p.name for p in (parent / "a" / "b").iterdir()) == ["out"]


def test_rerun_into_an_earlier_run_keeps_subjects_and_the_users_files(project, capsys):
    assert main(["run", "config.yaml", "--out", "reports/q4", "--no-report"]) in (0, 1)
    run = project / "reports" / "q4"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"] == "audit-kit"
    assert main(["subject", "reports/q4", "--email", "joro@karkkainen.example.fi"]) == 0
    (answer,) = (run / "subjects").iterdir()
    assert sorted(p.name for p in answer.iterdir()) == [
        "internal.html", "internal.json", "letter.fi.html"]
    (run / "auditor-notes.txt").write_text("kept\n", encoding="utf-8")
    (run / "report.html").write_text("an earlier report\n", encoding="utf-8")
    kept = snapshot(run / "subjects")
    findings = (run / "findings.csv").read_bytes()
    assert main(["run", "config.yaml", "--out", "reports/q4", "--no-report"]) in (0, 1)
    capsys.readouterr()
    assert snapshot(run / "subjects") == kept
    assert (run / "auditor-notes.txt").read_text(encoding="utf-8") == "kept\n"
    assert not (run / "report.html").exists()  # a run output: replaced (here: dropped)
    assert (run / "findings.csv").read_bytes() == findings
    assert [p.name for p in (project / "reports").iterdir()] == ["q4"]
    # subject --out at an existing folder: written into, its mode kept
    shared = project / "answers"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    assert main(["subject", "reports/q4", "--email", "joro@karkkainen.example.fi",
                 "--out", "answers"]) == 0
    assert shared.stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in shared.iterdir()) == [
        "internal.html", "internal.json", "letter.fi.html"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in shared.iterdir())
    # ... and again into its own earlier answer; not into a folder with anything else
    assert main(["subject", "reports/q4", "--email", "joro@karkkainen.example.fi",
                 "--out", "answers"]) == 0
    (shared / "other.txt").write_text("x\n", encoding="utf-8")
    assert main(["subject", "reports/q4", "--email", "joro@karkkainen.example.fi",
                 "--out", "answers"]) == 2
    assert "is not an earlier access-request answer" in capsys.readouterr().err


def test_sweep_removes_only_dead_runs_staging_folders(tmp_path):
    """Ours: the name pattern and a pid file naming a process that is gone."""
    from audit_kit import outdir

    dead = dead_pid()
    stale = tmp_path / f".2026-Q3.partial-{dead}-ab12"  # another quarter's killed run
    stale.mkdir()
    (stale / outdir.PID_FILE).write_text(f"{dead}\n", encoding="ascii")
    (stale / "warehouse.duckdb").write_bytes(b"personal data")
    empty = tmp_path / f".x.partial-{dead}-cd34"  # killed before its pid file
    empty.mkdir()
    lookalike = tmp_path / f".y.partial-{dead}-ef56"  # not ours: no pid file
    lookalike.mkdir()
    (lookalike / "keep.txt").write_text("user's\n", encoding="utf-8")
    live = tmp_path / f".z.partial-{os.getppid()}-gh78"  # a run still going
    live.mkdir()
    (live / outdir.PID_FILE).write_text(f"{os.getppid()}\n", encoding="ascii")
    outdir.sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([lookalike.name, live.name])


def test_a_run_killed_mid_swap_keeps_the_earlier_subjects(tmp_path):
    """Killed after the new folder went in place but before the earlier one's kept
    entries were carried over: the next run carries them."""
    from audit_kit import outdir

    marker = json.dumps(dict([outdir.RUN_MARKER])) + "\n"
    new = tmp_path / "out"
    new.mkdir()
    (new / "manifest.json").write_text(marker, encoding="utf-8")
    old = tmp_path / f".out.old-{dead_pid()}"
    (old / "subjects" / "S-1").mkdir(parents=True)
    (old / "subjects" / "S-1" / "subject.json").write_text("{}\n", encoding="utf-8")
    (old / "manifest.json").write_text(marker, encoding="utf-8")
    (old / "findings.csv").write_text("rule_id\n", encoding="utf-8")
    outdir.sweep(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert sorted(p.name for p in new.iterdir()) == ["manifest.json", "subjects"]
    assert (new / "subjects" / "S-1" / "subject.json").read_text(encoding="utf-8") == "{}\n"


# -- whole runs in subprocesses: determinism, SIGTERM, Ctrl-C ---------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo exports, a key, a private TMPDIR and one complete run (the previous output)."""
    from audit_kit.demo import generate

    base = tmp_path_factory.mktemp("outsafety")
    generate(base / "data")
    (base / "tmp").mkdir()
    env = {**os.environ, "AUDIT_KIT_KEY_FILE": str(base / "audit.key"),
           "TMPDIR": str(base / "tmp")}
    out = base / "reports" / "out"
    proc = _start(base, out, env)
    assert proc.wait(timeout=300) == 1, proc.stderr.read()
    return base, out, env


def _start(base: Path, out: Path, env: dict) -> subprocess.Popen:
    return start_run(base / "data" / "config.yaml", out, env)


@pytest.mark.slow
def test_two_identical_runs_are_byte_identical(demo):
    base, out, env = demo
    second = base / "reports" / "second"
    proc = _start(base, second, env)
    assert proc.wait(timeout=300) == 1, proc.stderr.read()
    for name in ("findings.csv", "report.html"):
        assert (second / name).read_bytes() == (out / name).read_bytes(), name
    # the manifest holds no timestamp and no output path
    assert (second / "manifest.json").read_bytes() == (out / "manifest.json").read_bytes()


def _staged(out: Path, inside: str) -> bool:
    return any(any(p.glob(inside)) for p in out.parent.glob(f".{out.name}.partial-*"))


SIGNALS = {
    # (signal, to the whole group as a terminal does?, what the run is doing, exit)
    "SIGTERM during the Data Docs step": (signal.SIGTERM, False, ".gx-docs-*", 143),
    "Ctrl-C while loading": (signal.SIGINT, True, "warehouse.duckdb", 130),
    "Ctrl-C during GX validation": (signal.SIGINT, True, "validation", 130),
    "Ctrl-C during the report": (signal.SIGINT, True, "report_params.json", 130),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(SIGNALS), ids=list(SIGNALS))
def test_a_stopped_run_leaves_no_copy_and_the_previous_output(demo, case):
    base, out, env = demo
    signum, group, step, code = SIGNALS[case]
    before = snapshot(out)
    proc = _start(base, out, env)
    end = time.monotonic() + 120
    while not _staged(out, step):
        assert proc.poll() is None and time.monotonic() < end, f"never reached {step}"
        time.sleep(0.005)
    if group:
        os.killpg(proc.pid, signum)
    else:
        proc.send_signal(signum)
    assert proc.wait(timeout=120) == code
    err = proc.stderr.read()
    assert err.count("\n") == 1 and "previous outputs are untouched" in err, err
    assert snapshot(out) == before
    assert {p.name for p in out.parent.iterdir()} - {"second"} == {"out"}
    assert list((base / "tmp").iterdir()) == []  # no warehouse copy in $TMPDIR
