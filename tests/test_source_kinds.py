"""The source-kind registry and its extension point.

A kind declared in a module of another package, named by an ``audit_kit.source_kinds``
entry point, is accepted by config validation, listed by ``audit-kit kinds``, labelled in
the report, written by the demo and fed to the fuzz and contract tests, with no file of
audit-kit edited: everything the toy needs is written into a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import audit_kit
from audit_kit.loaders import SourceKind, roles, source_kinds
from audit_kit.vocab import ROLES
from tests._support import REPO

TOY_MODULE = '''
"""A toy source kind: note files holding one e-mail address a line."""

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field

from audit_kit.loaders import FuzzSeed, LoadResult, Option, Role, SourceKind, input_files

HERE = Path(__file__).resolve().parent
EMAIL = re.compile(r"^[a-z0-9._-]+@[a-z0-9.-]+\\.[a-z]+$")

KINDS = (SourceKind(
    "toy_notes",
    reads="a toy's note files, one e-mail address a line",
    place={"fi": "lelun muistiinpanoista", "en": "from the toy's notes"},
    roles=(Role("toy_contact", "an address in a toy's notes"),),
    options=(Option("marker", Annotated[str, Field(min_length=1, max_length=1)],
                    "one character", "a comment line's first character"),),
    demo="toy_kind:write_demo",
    fixtures=(str(HERE / "toy_fixtures" / "*"),),
    fuzz=(FuzzSeed("notes.txt", str(HERE / "toy_seed.txt")),),
),)


def load(source, sink):
    res = LoadResult(format="toy notes")
    marker = source.marker or "#"
    for path in input_files(source.path, (".txt",)):
        f = sink.file(path)
        text = path.read_bytes().decode("utf-8", "replace")
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith(marker):
                continue
            res.records_read += 1
            address = line.strip().lower()
            if not EMAIL.match(address):
                sink.reject(f, f"line {n}", "not an e-mail address")
                res.records_rejected += 1
                continue
            sink.record(f, f"line {n}", "toy_contact", email=address)
            sink.field(f, f"line {n}", "email", "note", address)
            res.records_loaded += 1
    return res


def write_demo(ctx):
    path = ctx.root / "toys" / "notes.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("% toy notes\\nnalle.puh@example.fi\\nnot an address\\n", encoding="utf-8")
    ctx.add_source("toy-notes", "toy_notes", path, "workstations", marker="%")
'''

ENTRY_POINTS = "[audit_kit.source_kinds]\ntoy = toy_kind\n"

#: run in a fresh interpreter that has the toy package on its path
PROBE = '''
import json, sys
from pathlib import Path
from audit_kit.config import load_config
from audit_kit.errors import ConfigError
from audit_kit.cli.main import main
from audit_kit.demo import generate
from audit_kit.report.i18n import place
from audit_kit.vocab import ROLES

tmp = Path(sys.argv[1])
out = {}
config = tmp / "config.yaml"
entry = "{name: toys, kind: toy_notes, path: toy_fixtures, system: workstations, "
body = "organisation: X\\npolicy: p.yaml\\nsources:\\n  - " + entry + "%s}\\n"
config.write_text(body % "marker: '%'", encoding="utf-8")
out["options"] = load_config(config).sources[0].options
for bad in ("marker: '%%'", "year: 2026"):
    config.write_text(body % bad, encoding="utf-8")
    try:
        load_config(config)
    except ConfigError as exc:
        out.setdefault("errors", []).append(exc.message)
print("@@kinds")
main(["kinds"])
print("@@end")
ctx = generate(tmp / "demo")
out["demo_sources"] = [s for s in ctx.sources if s["kind"] == "toy_notes"]
out["demo_file"] = (tmp / "demo" / "toys" / "notes.txt").is_file()
out["place"] = [place("toy_notes", "fi"), place("toy_notes", "en")]
out["role"] = ROLES.get("toy_contact")
print("@@json" + json.dumps(out))
'''


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A package installed only on this folder's path: the toy module, its files and
    its entry point; and the environment of a process that sees it."""
    tmp = tmp_path_factory.mktemp("toy")
    (tmp / "toy_kind.py").write_text(TOY_MODULE, encoding="utf-8")
    (tmp / "toy_seed.txt").write_text("# seed\naino@example.fi\nnot an address\n",
                                      encoding="utf-8")
    (tmp / "toy_fixtures").mkdir()
    (tmp / "toy_fixtures" / "notes.txt").write_text("eero@example.fi\n", encoding="utf-8")
    info = tmp / "toy_kind-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-kind\nVersion: 0.1\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    paths = [str(tmp), str(Path(audit_kit.__file__).resolve().parents[1])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [*paths, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])}
    return tmp, env


@pytest.mark.slow
def test_a_kind_from_another_package_reaches_config_kinds_demo_and_report(toy):
    tmp, env = toy
    run = subprocess.run([sys.executable, "-c", PROBE, str(tmp)], env=env, cwd=tmp,
                         capture_output=True, text=True, check=True)
    listing = run.stdout.split("@@kinds\n")[1].split("@@end")[0].splitlines()
    got = json.loads(run.stdout.split("@@json")[1])
    assert got["options"] == {"marker": "%"}
    assert got["errors"] == [
        "source 'toys': marker '%%' is not valid; give one character",
        "source 'toys': kind toy_notes takes no option 'year'; its options: marker",
    ]
    named = [line.split()[0] for line in listing if not line.startswith(" ")]
    assert named == [*source_kinds(), "toy_notes"]  # after the built-in kinds
    assert listing[-2:] == [f"{'toy_notes':<24} a toy's note files, one e-mail address a line",
                            f"{'':<24} options: marker"]
    assert got["demo_sources"] == [{"name": "toy-notes", "kind": "toy_notes",
                                    "path": str((tmp / "demo").resolve() / "toys" / "notes.txt"),
                                    "system": "workstations", "marker": "%"}]
    assert got["demo_file"]
    assert got["place"] == ["lelun muistiinpanoista", "from the toy's notes"]
    assert got["role"] == "an address in a toy's notes"


@pytest.mark.slow
def test_a_kind_from_another_package_is_fuzzed_and_contract_tested(toy):
    tmp, env = toy
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA",
         str(REPO / "tests" / "test_fuzz.py"), str(REPO / "tests" / "test_loader_contract.py"),
         "-k", "toy_notes or covers_every_kind or declares_a_fuzz_seed"],
        env=env, cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    passed = {line.split()[1] for line in run.stdout.splitlines() if line.startswith("PASSED")}
    assert passed == {
        "tests/test_fuzz.py::test_every_kind_declares_a_fuzz_seed_that_exists",
        "tests/test_fuzz.py::test_arbitrary_bytes[toy_notes]",
        "tests/test_fuzz.py::test_mutated_real_files[toy_notes]",
        "tests/test_loader_contract.py::test_demo_covers_every_kind",
        "tests/test_loader_contract.py::test_loader_contract[toy_notes]",
        "tests/test_loader_contract.py::test_loader_contract_on_its_fixtures[toy_notes]",
    }


def test_the_built_in_kinds_and_roles_come_from_the_loader_modules():
    kinds = source_kinds()
    assert all(isinstance(k, SourceKind) and callable(k.load) for k in kinds.values())
    assert {k.load.__module__ for k in kinds.values()} == {
        f"audit_kit.loaders.{m}" for m in
        ("tabular", "finvoice", "vcard", "contacts_csv", "mbox", "maildir", "eml", "postfix",
         "web_access_log")}
    assert list(ROLES) == list(roles()) and len(ROLES) == 12
    assert ROLES["invoice_party"].startswith("person on an invoice")
