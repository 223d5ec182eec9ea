"""``audit-kit init``: the starter project, written only into a new or empty folder."""

from __future__ import annotations

import errno
import stat
from pathlib import PurePath

import pytest

from audit_kit import starter
from audit_kit.cli.main import main
from audit_kit.config import load_config
from audit_kit.errors import OutputError
from audit_kit.policy import default_policy_path, load_policy
from tests._support import REPO

WRITTEN = {".gitignore", "audits", "audits/config.yaml", "audits/policy.yaml",
           "audits/accepted.yaml", "data", "data/README.md", "data/raw"}


def _tree(root) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_the_starter_into_a_new_folder(tmp_path):
    dest = tmp_path / "a" / "proj"
    written = starter.init_project(dest)
    assert _tree(dest) == WRITTEN
    assert {p.relative_to(dest).as_posix() for p in written} == set(starter.FILES)
    assert list((dest / "data" / "raw").iterdir()) == []
    for p in (dest, tmp_path / "a", *(dest / d for d in starter.DIRS)):
        assert _mode(p) == 0o700, p
    for name in starter.FILES:
        assert _mode(dest / name) == 0o600, name
    assert (dest / "audits" / "policy.yaml").read_bytes() == default_policy_path().read_bytes()
    cfg = load_config(dest / "audits" / "config.yaml")
    assert cfg.policy == (dest / "audits" / "policy.yaml").resolve()
    assert load_policy(cfg.policy).organisation.name == cfg.organisation
    assert cfg.sources == []
    # the accepted-findings file beside the policy, where `run` looks: none accepted yet
    from audit_kit.exitpolicy import default_path, load_accepted

    assert default_path(cfg.policy) == (dest / "audits" / "accepted.yaml").resolve()
    accepted = load_accepted(None, default=default_path(cfg.policy))
    assert accepted.entries == () and accepted.path is not None


def test_init_into_an_empty_folder_keeps_its_mode(tmp_path):
    dest = tmp_path / "empty"
    dest.mkdir(mode=0o755)
    dest.chmod(0o755)
    starter.init_project(dest)
    assert _tree(dest) == WRITTEN
    assert _mode(dest) == 0o755


@pytest.mark.parametrize("existing", ["audits/config.yaml", ".git/HEAD", "notes.txt"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path, existing):
    dest = tmp_path / "proj"
    (dest / existing).parent.mkdir(parents=True)
    (dest / existing).write_text("the user's own\n")
    with pytest.raises(OutputError, match="folder is not empty"):
        starter.init_project(dest)
    parents = {p.as_posix() for p in PurePath(existing).parents} - {"."}
    assert _tree(dest) == {existing, *parents}
    assert (dest / existing).read_text() == "the user's own\n"


def test_init_refuses_a_file(tmp_path):
    (tmp_path / "proj").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        starter.init_project(tmp_path / "proj")
    assert (tmp_path / "proj").read_text() == "x"


@pytest.mark.parametrize("existed", [False, True])
def test_a_failure_midway_leaves_nothing_behind(tmp_path, monkeypatch, existed):
    real = starter.resource

    def full_disk(name):
        if name == "audits/policy.yaml":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(name)

    monkeypatch.setattr(starter, "resource", full_disk)
    dest = tmp_path / "new" / "proj"
    if existed:
        dest.mkdir(parents=True)
    with pytest.raises(OutputError, match="No space left on device"):
        starter.init_project(dest)
    assert _tree(tmp_path) == ({"new", "new/proj"} if existed else set())


def test_cli_init(tmp_path, capsys):
    assert main(["init", str(tmp_path / "proj")]) == 0
    assert "starter project written to" in capsys.readouterr().out
    assert main(["init", str(tmp_path / "proj")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "folder is not empty" in err


def test_the_packaged_files_are_the_repositorys():
    """One copy each: the package's resources are the repository's own files (symlinks
    in the source tree; tests/test_wheel.py checks the built wheel holds the same)."""
    assert starter.resource("audits/policy.yaml") == (REPO / "audits/policy.yaml").read_bytes()
    assert starter.resource("data/README.md") == (REPO / "data/README.md").read_bytes()


def test_the_repository_ignores_what_a_starter_project_ignores():
    """The repository is a project too: real exports and outputs never enter its git."""
    ours = set((REPO / ".gitignore").read_text(encoding="utf-8").splitlines())
    for line in starter.resource("gitignore").decode().splitlines():
        assert line.startswith("#") or line in ours, line
