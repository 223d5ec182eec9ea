"""The CLI: every command explains itself; bad input is one line and exit 2."""

from __future__ import annotations

import pytest

from audit_kit.cli.main import COMMANDS, main
from audit_kit.config import SOURCE_KINDS
from tests.conftest import POLICY, REPO


@pytest.mark.parametrize("argv", [["--help"]] + [[c, "--help"] for c in COMMANDS])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0
    assert "usage: audit-kit" in capsys.readouterr().out


def test_unsupported_kind_is_exit_2_one_line(tmp_path, capsys, monkeypatch):
    from audit_kit import loaders

    loaders.supported_kinds()
    monkeypatch.delitem(loaders.LOADERS, "vcard")
    (tmp_path / "c.vcf").write_text("")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"organisation: X\npolicy: {POLICY}\nas_of: 2026-12-31\nsources:\n"
                   "  - {name: phone, kind: vcard, path: c.vcf, system: android_backup}\n")
    assert main(["run", str(cfg), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "source kind 'vcard' is not supported yet" in err
    assert not (tmp_path / "out").exists()


def test_missing_config_is_exit_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: config file not found" in capsys.readouterr().err


def test_readme_documents_every_command_and_kind():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for c in COMMANDS:
        assert f"audit-kit {c}" in readme, c
    for k in SOURCE_KINDS:
        assert f"`{k}`" in readme, k


def test_suites_outside_a_project_points_to_init(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["suites"]) == 2
    assert "audits/policy.yaml: policy file not found; run this in a project folder " \
           "(`audit-kit init` writes one)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
