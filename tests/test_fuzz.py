"""Property-based tests: every registered loader on arbitrary and mutated bytes.

Whatever the bytes, a loader either raises an :class:`AuditKitError` subclass (a whole
file unusable: one line for the user) or returns counts that reconcile: read = loaded +
rejected, and every rejected record is a reject row with a reason.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_kit import warehouse
from audit_kit.config import SourceConfig
from audit_kit.errors import AuditKitError
from audit_kit.loaders import FuzzSeed, get_loader, source_kinds
from tests._support import DATA

#: (kind, seed) for every fuzz seed a registered kind declares
KINDS = [pytest.param(k.name, seed, id=k.name + (f"-{i}" if i else ""))
         for k in source_kinds().values() for i, seed in enumerate(k.fuzz)]

pytestmark = pytest.mark.slow  # hypothesis runs every loader hundreds of times

FUZZ = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_every_kind_declares_a_fuzz_seed_that_exists():
    for k in source_kinds().values():
        assert k.fuzz, k.name
        for seed in k.fuzz:
            assert (DATA / seed.seed).is_file(), (k.name, seed.seed)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """The seed with a few random edits: flips, inserted junk, cut ranges, truncation."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.one_of(
                st.binary(max_size=40),
                st.sampled_from([b"\x00", b"\r", b"\n\n", b'"', b";", b"=", b"\xff\xfe",
                                 b"=?utf-8?B?", b"From - ", b"BEGIN:VCARD\r\n", b"END:VCARD",
                                 b"<!ENTITY a 'b'>", b"]]>", b"<Finvoice>", b"\xc3"])))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[pos:]
        elif op == "dup":
            data[pos:pos] = data[pos:pos + draw(st.integers(1, 200))]
    return bytes(data)


def check_loader(kind: str, seed: FuzzSeed, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / seed.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        src_path = Path(d) / seed.source if seed.source else path
        con = warehouse.connect()
        sink = warehouse.SourceSink(con, source="f", kind=kind, system="fuzz", base=Path(d))
        try:
            res = get_loader(kind)(SourceConfig(name="f", kind=kind, path=src_path,
                                                system="fuzz"), sink)
        except AuditKitError as exc:
            assert exc.one_line() and "\n" not in exc.one_line()
            return
        finally:
            sink.flush()
        assert res.records_read == res.records_loaded + res.records_rejected, res
        rows = con.execute("SELECT count(*), count(*) FILTER (WHERE reason <> '') "
                           "FROM rejects").fetchone()
        assert rows == (res.records_rejected, res.records_rejected)
        con.close()


@pytest.mark.parametrize(("kind", "seed"), KINDS)
def test_arbitrary_bytes(kind, seed):
    @FUZZ
    @given(st.binary(max_size=4096))
    def run(data: bytes) -> None:
        check_loader(kind, seed, data)

    run()


@pytest.mark.parametrize(("kind", "seed"), KINDS)
def test_mutated_real_files(kind, seed):
    real = (DATA / seed.seed).read_bytes()

    @FUZZ
    @given(mutated(real))
    def run(data: bytes) -> None:
        check_loader(kind, seed, data)

    run()


def _workbook() -> dict[str, bytes]:
    import io
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nimi", "Yritys", "Sähköposti", "Puhelin", "Viimeisin markkinointi"])
    ws.append(["Aino Mäkelä", "Mäkelän Kone Oy", "aino@example.com", "040 123 4567", "1.2.2026"])
    ws.append(["Eero Ylönen", "=HYPERLINK(\"x\")", "eero@example.com", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as z:
        return {n: z.read(n) for n in z.namelist()}


WORKBOOK = _workbook()


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl warns about the damage
@FUZZ
@given(st.sampled_from(sorted(WORKBOOK)), st.data())
def test_xlsx_with_a_mutated_member(member, data):
    """A well-formed zip whose XML inside is broken: still only AuditKitError or rejects."""
    import io
    import zipfile

    parts = dict(WORKBOOK)
    parts[member] = data.draw(mutated(parts[member]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    check_loader("marketing_list", FuzzSeed("prospects.xlsx", ""), buf.getvalue())
