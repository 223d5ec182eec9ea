"""The package outside the checkout: build the wheel, install it into a fresh venv and
run the CLI from a folder that is not the repository, as a new user would.

The venv has no system site-packages. The wheel goes in with ``--no-deps``; then a .pth
file puts this interpreter's site-packages (the dependencies, already installed) behind
the venv's own, and their ``share/jupyter`` data files are copied in. Python does not
process .pth files inside a folder added that way, so the checkout's editable install
(a .pth naming ``src/``) cannot shadow the wheel; the test checks that ``audit_kit`` and
its resources are read from the venv.
"""

from __future__ import annotations

import collections
import csv
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from audit_kit.cli.main import main
from tests._support import REPO

pytestmark = pytest.mark.slow

#: resource in the wheel -> the repository file it is (in src/, a symlink to it)
RESOURCES = {
    "audit_kit/report/report.ipynb": "notebooks/report.ipynb",
    "audit_kit/starter/audits/policy.yaml": "audits/policy.yaml",
    "audit_kit/starter/audits/accepted.yaml": "audits/accepted.yaml",
    "audit_kit/starter/data/README.md": "data/README.md",
}


def _source_tree(dest: Path) -> Path:
    """What ``pip wheel .`` reads from the checkout, copied: a build in the checkout
    would leave build/ there, and a stale build/ puts removed files into the wheel."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(REPO / "src", dest / "src", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for link in (REPO / "src").rglob("*"):
        if link.is_symlink():  # the files src/'s symlinks name, at the same place
            target = link.resolve().relative_to(REPO)
            (dest / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / target, dest / target)
    return dest


def _run(cmd: list, cwd: Path, env: dict, ok: tuple[int, ...] = (0,)) -> str:
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode in ok, f"{cmd[0]} {cmd[1]} exited {p.returncode}:\n{p.stderr[-3000:]}"
    return p.stdout


def _keys(path: Path) -> collections.Counter:
    with open(path, encoding="utf-8", newline="") as f:
        return collections.Counter(
            (r["rule_id"], r["source"], r["record_ref"], r["field"]) for r in csv.DictReader(f)
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv, env): the built wheel installed into a fresh venv; env runs its CLI."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JUPYTER_PATH")}
    src = _source_tree(tmp / "src")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
          "--no-index", "-w", tmp / "dist", src], tmp, env)
    (wheel,) = (tmp / "dist").glob("audit_kit-*.whl")
    with zipfile.ZipFile(wheel) as z:
        for res, repo_file in RESOURCES.items():
            assert z.read(res) == (REPO / repo_file).read_bytes(), res
        # every file of the package, code or data, is in the wheel as in the source tree
        # (a package-data pattern that misses a file fails here, not on a user's machine)
        pkg = REPO / "src"
        for path in (pkg / "audit_kit").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                name = path.relative_to(pkg).as_posix()
                assert z.read(name) == path.read_bytes(), name

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
    py = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps",
          "--no-index", wheel], tmp, env)
    purelib = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        tmp, env).strip())
    deps = [*site.getsitepackages()]
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        deps.append(site.getusersitepackages())
    (purelib / "_audit_kit_test_deps.pth").write_text("\n".join(deps) + "\n")
    # and their data files (nbconvert's templates) where pip would have put them, but
    # not a kernelspec: the report's kernel must be the venv's own interpreter
    shutil.copytree(Path(sys.prefix) / "share" / "jupyter", venv / "share" / "jupyter",
                    ignore=shutil.ignore_patterns("kernels"))

    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # only the venv's interpreter may run the report's kernel: no user kernelspecs
    env["JUPYTER_DATA_DIR"] = str(tmp / "jupyter")
    env["IPYTHONDIR"] = str(tmp / "ipython")
    probe = _run([py, "-c", "import audit_kit, audit_kit.policy as p, audit_kit.report as r\n"
                  "print(audit_kit.__file__, p.default_policy_path(), r.TEMPLATE, sep='\\n')"],
                 tmp, env).split()
    for path in map(Path, probe):
        assert path.is_relative_to(purelib), path
        assert path.is_file() and not path.is_symlink(), path
    return venv, env


def test_wheel_cli_outside_the_checkout(installed, tmp_path, capsys):
    venv, env = installed
    ak = venv / "bin" / "audit-kit"
    assert not tmp_path.is_relative_to(REPO)

    _run([ak, "init", "proj"], tmp_path, env)
    proj = tmp_path / "proj"
    assert (proj / "audits" / "policy.yaml").read_bytes() == (
        REPO / "audits" / "policy.yaml"
    ).read_bytes()

    assert main(["kinds"]) == 0
    assert _run([ak, "kinds"], proj, env) == capsys.readouterr().out

    data, run = tmp_path / "D", tmp_path / "O"
    _run([ak, "demo", "--data", data, "--out", run], proj, env)
    assert _keys(run / "findings.csv") == _keys(data / "ground_truth.csv")

    _run([ak, "report", run, "--lang", "en"], proj, env)
    assert '<html lang="en"' in (run / "report.en.html").read_text(encoding="utf-8")

    with open(run / "findings.csv", encoding="utf-8", newline="") as f:
        email = next(r["email"] for r in csv.DictReader(f) if r["email"])
    _run([ak, "subject", run, "--email", email, "--out", tmp_path / "S"], proj, env)
    assert (tmp_path / "S" / "letter.fi.html").is_file()
    assert (tmp_path / "S" / "internal.json").is_file()

    _run([ak, "suites"], proj, env)
    gx_files = {  # the GX project is byte-stable: the same as the committed one
        root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*")
               if p.is_file() and not {"uncommitted", "__pycache__"} & set(p.parts)}
        for root in (proj / "audits" / "gx", REPO / "audits" / "gx")
    }
    assert gx_files[proj / "audits" / "gx"] == gx_files[REPO / "audits" / "gx"]

    # the starter config as written: no sources yet, the statement's own findings only
    _run([ak, "run", "audits/config.yaml", "--as-of", "2026-12-31", "--out", tmp_path / "O2",
          "--no-report"], proj, env, ok=(0, 1))
    with open(tmp_path / "O2" / "findings.csv", encoding="utf-8", newline="") as f:
        assert {r["category"] for r in csv.DictReader(f)} <= {"statement"}
