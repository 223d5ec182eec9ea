"""docs/ci/: the GitHub Actions and GitLab CI examples run as a CI runner would run them.

In a throwaway git repository (the project ``audit-kit init`` makes, the demo company's
exports under the git-ignored ``data/raw/``), each file's commands run as that CI runs
them: GitHub Actions each ``run:`` step in its own ``bash -eo pipefail``, with the job's
``env:`` (its ``${{ }}`` expressions given the values the runner would: the secret, the
variable, the input, ``runner.temp``); GitLab CI ``before_script`` and ``script`` in one
shell, ``after_script`` in another, with the job's ``variables:``. ``uses:`` steps
(checkout, setup-python, upload) are the CI's own and are not run; what they upload must
exist.

The install command runs for real: pip installs this checkout (a copy) offline into a
target folder of the test (``PIP_TARGET``, ``PIP_NO_INDEX``, ``PIP_NO_DEPS``: pip's own
settings; the dependencies are this interpreter's), and that ``audit-kit`` runs the audit.

Red without acceptances (the demo's errors), green once audits/accepted.yaml accepts them,
red again when a new error finding is planted; the JUnit file validates against
junit-10.xsd each time, and no tracked file changes.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import xmlschema
import yaml

from audit_kit.demo import generate
from audit_kit.starter import init_project
from tests._support import DATA, REPO

pytestmark = pytest.mark.slow

CI = REPO / "docs" / "ci"
SCHEMA = DATA / "junit" / "junit-10.xsd"
PERIOD = "2026Q4"  # the demo company's audit date, 2026-12-31
AUDIT_STEP = "audit-kit run audits/config.yaml"


def _sh(cmd: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", cmd],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """This checkout as pip would get it: a copy with src/'s symlinks resolved."""
    src = tmp_path_factory.mktemp("package") / "audit-kit"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "src", src / "src", symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return src


@pytest.fixture
def repo(tmp_path) -> Path:
    """A company's audit repository: init's project, the demo exports in data/raw/."""
    root = tmp_path / "company"
    init_project(root)
    raw = root / "data" / "raw"
    generate(raw)
    demo = yaml.safe_load((raw / "config.yaml").read_text(encoding="utf-8"))
    config = {"organisation": demo["organisation"], "policy": "policy.yaml",
              "sources": [{**s, "path": f"../data/raw/{s['path']}"} for s in demo["sources"]]}
    (root / "audits" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False),
                                                 encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q",
         "-m", "audit project")
    assert "data/raw" not in _git(root, "ls-files")  # the exports never enter git
    return root


def _runner_env(tmp: Path, package: Path, key: str) -> dict:
    """The runner's environment: no PYTHONPATH of ours; pip installs offline into a target
    folder, whose audit-kit comes first on PATH; this interpreter is `python`."""
    target = tmp / "site"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "AUDIT_KIT_KEY_FILE") and
           not k.startswith(("PIP_", "GITHUB_", "CI_"))}
    env.update(PIP_TARGET=str(target), PIP_NO_INDEX="1", PIP_NO_DEPS="1",
               PIP_NO_BUILD_ISOLATION="0", PIP_QUIET="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PYTHONPATH=str(target),
               PATH=os.pathsep.join([str(target / "bin"), str(Path(sys.executable).parent),
                                     env.get("PATH", "")]))
    return env


def github_steps(env: dict, *, package: Path, key: str, runner_temp: Path) -> list[tuple]:
    """(name, command) of the workflow's run: steps; its env: added to *env*."""
    doc = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    (job,) = doc["jobs"].values()
    given = {"vars.AUDIT_KIT_PACKAGE": str(package), "secrets.AUDIT_KIT_KEY": key,
             "runner.temp": str(runner_temp), "inputs.period": PERIOD}
    for name, value in job["env"].items():
        env[name] = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: given[m.group(1)], value)
    return [(s.get("name", ""), s["run"]) for s in job["steps"] if "run" in s]


def _github(repo: Path, tmp: Path, package: Path, key: str) -> tuple[int, str]:
    """Run the workflow's steps until one fails: (exit status, the failing step's name)."""
    env = _runner_env(tmp, package, key)
    for name, cmd in github_steps(env, package=package, key=key, runner_temp=tmp / "temp"):
        p = _sh(cmd, repo, env)
        assert "Traceback" not in p.stderr, p.stderr
        if p.returncode:
            return p.returncode, name
    return 0, ""


def _gitlab(repo: Path, tmp: Path, package: Path, key: str) -> int:
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    (job,) = (v for k, v in doc.items() if isinstance(v, dict) and "script" in v)
    env = _runner_env(tmp, package, key)
    env.update(AUDIT_KIT_PACKAGE=str(package), AUDIT_KIT_KEY=key, AUDIT_PERIOD=PERIOD,
               CI_JOB_ID=f"test{os.getpid()}{secrets.token_hex(4)}")
    for name, value in job["variables"].items():  # GitLab expands $VARS in variables
        env[name] = _sh(f'printf %s "{value}"', repo, env).stdout
    main = _sh("\n".join(job["before_script"] + job["script"]), repo, env)
    assert "Traceback" not in main.stderr, main.stderr
    after = _sh("\n".join(job["after_script"]), repo, env)
    assert after.returncode == 0, after.stderr
    assert not Path(env["AUDIT_KIT_KEY_FILE"]).exists()  # the key does not outlive the job
    for pattern in job["artifacts"]["paths"]:
        assert list(repo.glob(pattern)), pattern
    assert job["artifacts"]["reports"]["junit"] == "audit-junit.xml"
    return main.returncode


def _junit(repo: Path) -> dict[str, str]:
    """The JUnit file, validated: failing case name -> its failure message."""
    text = (repo / "audit-junit.xml").read_text(encoding="utf-8")
    xmlschema.XMLSchema(str(SCHEMA)).validate(text)
    assert "@" not in text  # no e-mail address
    root = ET.fromstring(text)
    return {c.get("name"): c.find("failure").get("message")
            for c in root.iter("testcase") if c.find("failure") is not None}


def _accept_every_error(repo: Path) -> Counter:
    """audits/accepted.yaml accepting every error of the last run by its key; the number
    accepted per rule."""
    (run,) = (repo / "audits" / "reports").iterdir()
    with open(run / "findings.csv", encoding="utf-8", newline="") as f:
        keys = sorted({r["key"]: r["rule_id"] for r in csv.DictReader(f)
                       if r["severity"] == "error"}.items())
    entries = [{"rule": rule, "key": key, "reason": "known; being fixed",
                "accepted_by": "the owner", "expires": "2027-03-31"} for key, rule in keys]
    (repo / "audits" / "accepted.yaml").write_text(
        yaml.safe_dump({"accepted": entries}, sort_keys=False), encoding="utf-8")
    _git(repo, "add", "audits/accepted.yaml")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q",
         "-m", "accept the known findings")
    return Counter(rule for _, rule in keys)


def _plant_new_error(repo: Path) -> None:
    """A customer whose relationship ended in 2024, appended to the billing register."""
    path = repo / "data" / "raw" / "billing" / "asiakasrekisteri.csv"
    raw = path.read_bytes()
    nl = b"\r\n" if b"\r\n" in raw else b"\n"
    row = ("1999;Uusi Asiakas Oy;;Ville Uusi;ville.uusi@uusiasiakas.example.fi;040 900 9999;;"
           "Torikatu 1;90100;Oulu;15.1.2020;15.1.2024;").encode("cp1252")
    path.write_bytes(raw.rstrip(b"\r\n") + nl + row + nl)


def test_github_actions_example_red_green_red(repo, tmp_path, package):
    key = secrets.token_hex(32)
    steps = github_steps({}, package=package, key=key, runner_temp=tmp_path)
    assert [n for n, _ in steps] == ["Install audit-kit", "Pseudonymisation key from the secret",
                                     "Audit the quarter"]
    assert AUDIT_STEP in steps[-1][1] and "--junit audit-junit.xml" in steps[-1][1]

    code, step = _github(repo, tmp_path / "r1", package, key)
    assert (code, step) == (1, "Audit the quarter")  # the demo's errors, none accepted
    failing = _junit(repo)
    assert {"S-privacy-shield", "S-no-transfers-claim", "S-backup-transfer",
            "S-legal-basis"} <= set(failing)

    accepted = _accept_every_error(repo)
    assert accepted.total() >= 4 and accepted["R-customer"] >= 1
    assert _github(repo, tmp_path / "r2", package, key) == (0, "")
    assert _junit(repo) == {}
    (run,) = (repo / "audits" / "reports").iterdir()
    assert run.name == "2026-Q4" and (run / "report.html").is_file()

    _plant_new_error(repo)
    assert _github(repo, tmp_path / "r3", package, key) == (1, "Audit the quarter")
    assert _junit(repo) == {
        "R-customer": f"1 finding fails (1 error); {accepted['R-customer']} accepted"}
    assert _git(repo, "status", "--porcelain", "--untracked-files=no") == ""


def test_gitlab_ci_example_green_and_red(repo, tmp_path, package):
    key = secrets.token_hex(32)
    assert _gitlab(repo, tmp_path / "r1", package, key) == 1
    accepted = _accept_every_error(repo)
    assert _gitlab(repo, tmp_path / "r2", package, key) == 0
    assert _junit(repo) == {}
    _plant_new_error(repo)
    assert _gitlab(repo, tmp_path / "r3", package, key) == 1
    assert _junit(repo) == {
        "R-customer": f"1 finding fails (1 error); {accepted['R-customer']} accepted"}
