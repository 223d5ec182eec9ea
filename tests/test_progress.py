"""Progress on stderr: on a terminal only, counting files and records, naming the source
and never a file (a vCard file may be named after the person)."""

from __future__ import annotations

import shutil

import pytest

from audit_kit import pipeline, progress
from audit_kit.cli.main import build_parser
from audit_kit.config import load_config
from audit_kit.policy import load_policy
from tests._support import DATA, POLICY, write_config

PERSON_FILE = "Aino Virtanen.vcf"


def _load(tmp_path):
    folder = tmp_path / "puhelin"
    folder.mkdir()
    shutil.copyfile(DATA / "vcard" / "android_21_fi.vcf", folder / PERSON_FILE)
    shutil.copyfile(DATA / "vcard" / "google_30.vcf", folder / "b.vcf")
    cfg = load_config(write_config(tmp_path, [{"name": "puhelin", "kind": "vcard",
                                               "path": "puhelin", "system": "android_backup"}]))
    con = pipeline.open_warehouse(cfg.as_of)
    loaded = pipeline.load(cfg, load_policy(POLICY), con, base=tmp_path)
    return loaded.results["puhelin"]


def test_off_by_default_nothing_on_stderr(tmp_path, capsys):
    _load(tmp_path)
    assert capsys.readouterr().err == ""


def test_on_a_line_per_source_without_file_names(tmp_path, capsys, monkeypatch):
    seen: list[tuple[int, int]] = []
    real = progress.SourceProgress.close

    def close(self):
        seen.append((self.files, self._bar.n))
        real(self)

    monkeypatch.setattr(progress.SourceProgress, "close", close)
    with progress.enabled():
        res = _load(tmp_path)
    err = capsys.readouterr().err
    assert "puhelin (vcard)" in err
    assert "Aino" not in err and "Virtanen" not in err
    assert seen == [(2, res.records_loaded)] and res.records_loaded > 0


@pytest.mark.parametrize("quiet, ci, tty, shown", [
    (False, "", True, True),
    (True, "", True, False),
    (False, "true", True, False),
    (False, "", False, False),
])
def test_shown_only_on_a_terminal_outside_ci_without_quiet(monkeypatch, quiet, ci, tty, shown):
    monkeypatch.setenv("CI", ci) if ci else monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr.isatty", lambda: tty, raising=False)
    assert progress.wanted(quiet) is shown


@pytest.mark.parametrize("command", ["run", "demo", "check", "report"])
def test_every_command_takes_quiet(command):
    parser = build_parser()
    assert parser.parse_args([command, "x", "--quiet"] if command != "demo"
                             else [command, "--quiet"]).quiet is True
