"""The CLI: every command explains itself; bad input is one line and exit 2."""

from __future__ import annotations

import pytest

from audit_kit.cli.main import COMMANDS, main
from audit_kit.loaders import formats_table, source_kinds
from tests._support import REPO


@pytest.mark.parametrize("argv", [["--help"]] + [[c, "--help"] for c in COMMANDS])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0
    assert "usage: audit-kit" in capsys.readouterr().out


def test_kinds_lists_every_registered_kind_with_its_options(capsys):
    assert main(["kinds"]) == 0
    out = capsys.readouterr().out.splitlines()
    named = [line.split()[0] for line in out if not line.startswith(" ")]
    assert named == list(source_kinds())
    postfix = out.index(next(line for line in out if line.startswith("postfix_log ")))
    assert out[postfix + 1].split() == ["options:", "year"]


def test_missing_config_is_exit_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: config file not found" in capsys.readouterr().err


def test_readme_documents_every_command_and_kind():
    """The formats table is `audit-kit kinds --markdown`, from the registry."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for c in COMMANDS:
        assert f"audit-kit {c}" in readme, c
    assert formats_table() in readme
    for k in source_kinds().values():
        for o in k.options:
            assert f"`{o.name}:`" in readme, (k.name, o.name)


def test_suites_outside_a_project_points_to_init(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["suites"]) == 2
    assert "audits/policy.yaml: policy file not found; run this in a project folder " \
           "(`audit-kit init` writes one)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
