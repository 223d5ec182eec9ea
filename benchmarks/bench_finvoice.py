"""Benchmark the finvoice loader (issue 3): ``python -m benchmarks.bench_finvoice --n N``.

Generates N single-invoice Finvoice files (3.0 UTF-8 and 1.3 ISO-8859-15, alternating) in a
temporary folder and measures, in the same run:

* raw read: reading every file's bytes (the floor);
* baseline: a plain ``xml.etree.ElementTree`` loop (no defusing, no raw tables) extracting
  the same fields the loader maps to people (number, date, buyer id/name/address, contact
  person, phone, e-mail, delivery contact);
* loader: ``audit_kit.loaders.finvoice.load`` into an in-memory warehouse, in-process
  (``workers=1``) and with the process pool (``workers=2``).

``--folder DIR`` measures an existing folder instead (e.g. the runner's cached workload-L
invoices, ``benchmarks/work/scale-1/billing/invoices``). Prints invoices/s, the ratios and
each contender's CPU seconds (this process plus its reaped pool workers): on a shared
machine the CPU seconds compare better than the wall time. Not a test: the numbers depend
on the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from audit_kit.demo import FIRST_NAMES, LAST_NAMES, ORG_STEMS
from benchmarks.bench_registers import load_into


def _invoice(i: int) -> bytes:
    v3 = i % 2 == 0
    first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // 7) % len(LAST_NAMES)]
    org = f"{ORG_STEMS[i % len(ORG_STEMS)]} Oy"
    body = f"""<Finvoice Version="{"3.0" if v3 else "1.3"}">
<SellerPartyDetails><SellerPartyIdentifier>0729081-3</SellerPartyIdentifier>
<SellerOrganisationName>Oulun Konttoripiste Oy</SellerOrganisationName></SellerPartyDetails>
<BuyerPartyDetails><BuyerPartyIdentifier>0112038-9</BuyerPartyIdentifier>
<BuyerOrganisationName>{org}</BuyerOrganisationName>
<BuyerPostalAddressDetails><BuyerStreetName>Sepänkatu {i % 90 + 1}</BuyerStreetName>
<BuyerTownName>OULU</BuyerTownName><BuyerPostCodeIdentifier>90100</BuyerPostCodeIdentifier>
<CountryCode>FI</CountryCode></BuyerPostalAddressDetails></BuyerPartyDetails>
<BuyerContactPersonName>{first} {last}</BuyerContactPersonName>
<BuyerCommunicationDetails>
<BuyerPhoneNumberIdentifier>040 9{i % 1000000:06d}</BuyerPhoneNumberIdentifier>
<BuyerEmailaddressIdentifier>asiakas{i}@example.fi</BuyerEmailaddressIdentifier></BuyerCommunicationDetails>
{"<DeliveryContactPersonName>Åsa Östman</DeliveryContactPersonName>" if i % 10 == 0 else ""}
<InvoiceDetails><InvoiceTypeCode>INV01</InvoiceTypeCode><InvoiceNumber>{i}</InvoiceNumber>
<InvoiceDate Format="CCYYMMDD">20{18 + i % 8}0{1 + i % 9}15</InvoiceDate>
<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">124,00</InvoiceTotalVatIncludedAmount>
<PaymentTermsDetails><PaymentTermsFreeText>14 päivää netto</PaymentTermsFreeText>
<InvoiceDueDate Format="CCYYMMDD">20260301</InvoiceDueDate></PaymentTermsDetails></InvoiceDetails>
<InvoiceRow><ArticleName>Värikasetti</ArticleName>
<DeliveredQuantity QuantityUnitCode="kpl">1</DeliveredQuantity>
<RowAmount AmountCurrencyIdentifier="EUR">124,00</RowAmount></InvoiceRow>
<InvoiceRow><ArticleName>Huoltokäynti</ArticleName>
<RowAmount AmountCurrencyIdentifier="EUR">0,00</RowAmount></InvoiceRow>
<EpiDetails><EpiIdentificationDetails><EpiDate Format="CCYYMMDD">20260215</EpiDate>
<EpiReference>{i}</EpiReference></EpiIdentificationDetails></EpiDetails>
</Finvoice>
"""
    enc = "UTF-8" if v3 else "ISO-8859-15"
    return f'<?xml version="1.0" encoding="{enc}"?>\n{body}'.encode(enc)


def generate(folder: Path, n: int) -> int:
    size = 0
    for i in range(n):
        sub = folder / f"{i // 1000:04d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        data = _invoice(i)
        (sub / f"lasku_{i}.xml").write_bytes(data)
        size += len(data)
    return size


def raw_read(paths: list[Path]) -> int:
    return sum(len(p.read_bytes()) for p in paths)


def baseline(paths: list[Path]) -> int:
    out = []
    for p in paths:
        r = ET.fromstring(p.read_bytes())
        bp = r.find("BuyerPartyDetails")
        addr = r.find("BuyerPartyDetails/BuyerPostalAddressDetails")
        out.append(
            (
                r.findtext("InvoiceDetails/InvoiceNumber"),
                r.findtext("InvoiceDetails/InvoiceDate"),
                bp.findtext("BuyerPartyIdentifier") if bp is not None else None,
                bp.findtext("BuyerOrganisationName") if bp is not None else None,
                ", ".join(t.text or "" for t in addr) if addr is not None else None,
                r.findtext("BuyerContactPersonName"),
                r.findtext("BuyerCommunicationDetails/BuyerPhoneNumberIdentifier"),
                r.findtext("BuyerCommunicationDetails/BuyerEmailaddressIdentifier"),
                r.findtext("DeliveryContactPersonName"),
            )
        )
    return len(out)


def ours(folder: Path, workers: int) -> int:
    r, con = load_into("finvoice", folder, "billing", workers=workers)
    con.close()
    assert r.reconciles and r.records_rejected == 0
    return r.records_loaded


def cpu_seconds() -> float:
    """CPU time of this process and of its reaped children (the loader's pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(folder: Path, n: int) -> None:
    """Time the raw read, the etree baseline and the loader on the files of *folder*."""
    paths = sorted(folder.rglob("*.xml"))
    results = {}
    for label, fn in (
        ("raw read", lambda: raw_read(paths)),
        ("etree baseline", lambda: baseline(paths)),
        ("loader, 1 process", lambda: ours(folder, 1)),
        ("loader, 2 processes", lambda: ours(folder, 2)),
    ):
        c, t = cpu_seconds(), time.perf_counter()
        fn()
        dt, dc = time.perf_counter() - t, cpu_seconds() - c
        results[label] = dt
        print(f"{label:22s} {dt:8.2f} s  {n / dt:10.0f} invoices/s  {dc:7.2f} CPU s")
    for label in ("loader, 1 process", "loader, 2 processes"):
        print(
            f"{label}: {results[label] / results['etree baseline']:.2f}x etree baseline time, "
            f"{results[label] / results['raw read']:.1f}x raw read time"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="invoice files to generate")
    ap.add_argument("--folder", type=Path, help="measure this folder's .xml files instead")
    args = ap.parse_args()
    if args.folder:
        measure(args.folder, sum(1 for _ in args.folder.rglob("*.xml")))
        return
    with tempfile.TemporaryDirectory(prefix="bench_finvoice_") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        size = generate(folder, args.n)
        print(
            f"generated {args.n} files, {size / 2**20:.1f} MiB in {time.perf_counter() - t:.1f} s"
            f" on {os.cpu_count()} CPUs"
        )
        measure(folder, args.n)


if __name__ == "__main__":
    main()
