"""Every registered loader, run on the demo company's files: counts reconcile and
every row keeps its provenance."""

from __future__ import annotations

import pytest

from audit_kit.config import SourceConfig
from audit_kit.loaders import get_loader, supported_kinds
from audit_kit.warehouse import SourceSink, connect


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from audit_kit.demo import generate

    return generate(tmp_path_factory.mktemp("contract") / "data")


def test_demo_covers_every_supported_kind(demo):
    assert {s["kind"] for s in demo.sources} == set(supported_kinds())


@pytest.mark.parametrize("kind", supported_kinds())
def test_loader_contract(demo, kind):
    for s in (s for s in demo.sources if s["kind"] == kind):
        con = connect()
        sink = SourceSink(con, source=s["name"], kind=kind, system=s["system"])
        extra = {k: v for k, v in s.items() if k not in ("name", "kind", "path", "system")}
        res = get_loader(kind)(SourceConfig(name=s["name"], kind=kind, path=demo.root / s["path"],
                                            system=s["system"], **extra), sink)
        sink.flush()
        assert res.records_read == res.records_loaded + res.records_rejected
        assert res.records_rejected == con.execute("SELECT count(*) FROM rejects").fetchone()[0]
        assert res.format
        assert res.records_loaded > 0
        bad = con.execute("SELECT count(*) FROM records WHERE file IS NULL OR record_ref IS NULL "
                          "OR length(sha256) <> 64 OR source <> ?", [s["name"]]).fetchone()[0]
        assert bad == 0
        files = {f for (f,) in con.execute("SELECT DISTINCT file FROM records").fetchall()}
        assert files <= {f for (f,) in con.execute("SELECT file FROM files").fetchall()}


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
