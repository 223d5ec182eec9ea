"""Every registered loader, run on the demo company's files and on its own fixtures
(``SourceKind.fixtures``): counts reconcile, every row keeps its provenance and every
record carries a role its kind declares."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from audit_kit.config import SourceConfig
from audit_kit.errors import AuditKitError
from audit_kit.loaders import LoadResult, get_kind, get_loader, source_kinds
from audit_kit.warehouse import SourceSink, connect
from tests._support import DATA


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from audit_kit.demo import generate

    return generate(tmp_path_factory.mktemp("contract") / "data")


def test_demo_covers_every_kind(demo):
    assert {s["kind"] for s in demo.sources} == set(source_kinds())


def check_contract(con, res: LoadResult, kind: str, source: str) -> None:
    """What every loader's result and rows must satisfy, whatever it read."""
    assert res.records_read == res.records_loaded + res.records_rejected
    assert res.records_rejected == con.execute("SELECT count(*) FROM rejects").fetchone()[0]
    assert res.format
    bad = con.execute("SELECT count(*) FROM records WHERE file IS NULL OR record_ref IS NULL "
                      "OR length(sha256) <> 64 OR source <> ?", [source]).fetchone()[0]
    assert bad == 0
    files = {f for (f,) in con.execute("SELECT DISTINCT file FROM records").fetchall()}
    assert files <= {f for (f,) in con.execute("SELECT file FROM files").fetchall()}
    roles = {r for (r,) in con.execute("SELECT DISTINCT role FROM records").fetchall()}
    assert roles <= {r.name for r in get_kind(kind).roles}, roles


@pytest.mark.parametrize("kind", list(source_kinds()))
def test_loader_contract(demo, kind):
    for s in (s for s in demo.sources if s["kind"] == kind):
        con = connect()
        sink = SourceSink(con, source=s["name"], kind=kind, system=s["system"])
        extra = {k: v for k, v in s.items() if k not in ("name", "kind", "path", "system")}
        res = get_loader(kind)(SourceConfig(name=s["name"], kind=kind, path=demo.root / s["path"],
                                            system=s["system"], **extra), sink)
        sink.flush()
        check_contract(con, res, kind, s["name"])
        assert res.records_loaded > 0


@pytest.mark.parametrize("kind", list(source_kinds()))
def test_loader_contract_on_its_fixtures(kind):
    """Each fixture is one source: it loads under the contract or is refused as a whole
    with one line; at least one of the kind's fixtures loads records."""
    # glob.glob, not Path.glob: a plug-in's fixture globs are absolute
    sources = sorted({Path(p) for pattern in get_kind(kind).fixtures
                      for p in glob.glob(str(DATA / pattern))})
    assert sources, f"{kind}: no fixture matches {get_kind(kind).fixtures}"
    loaded = 0
    for path in sources:
        con = connect()
        sink = SourceSink(con, source="fixture", kind=kind, system="test")
        try:
            res = get_loader(kind)(SourceConfig(name="fixture", kind=kind, path=path,
                                                system="test"), sink)
        except AuditKitError as exc:
            assert "\n" not in exc.one_line()
            continue
        finally:
            sink.flush()
        check_contract(con, res, kind, "fixture")
        loaded += res.records_loaded
    assert loaded > 0


@pytest.mark.parametrize("kind, name, body", [
    ("customers_csv", "asiakkaat.csv", "Nimi;Sähköposti\nAino;aino@example.fi\n"),
    ("maildir", "cur/1.M1P1.host:2,S", "From: a@example.fi\n\nbody\n"),
])
def test_a_symlink_out_of_the_input_folder_is_refused(tmp_path, kind, name, body):
    from audit_kit.errors import InputError

    secret = tmp_path / "outside.txt"
    secret.write_text(body, encoding="utf-8")
    folder = tmp_path / "export"
    target = folder / name
    target.parent.mkdir(parents=True)
    target.symlink_to(secret)
    con = connect()
    sink = SourceSink(con, source="x", kind=kind, system="mail")
    with pytest.raises(InputError) as e:
        get_loader(kind)(SourceConfig(name="x", kind=kind, path=folder, system="mail"), sink)
    assert "symbolic link points outside the input folder" in e.value.message
    assert con.execute("SELECT count(*) FROM files").fetchone() == (0,)
