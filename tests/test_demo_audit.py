"""The demo audit's findings equal its ground truth exactly (precision and recall 1.0)."""

from __future__ import annotations

import csv
import json
import shutil
import stat

import pytest

from audit_kit.findings import COLUMNS
from tests._support import REPO

pytestmark = pytest.mark.slow


def _truth(ctx):
    with open(ctx.root / "ground_truth.csv", encoding="utf-8") as f:
        return {(r["rule_id"], r["source"], r["record_ref"], r["field"]) for r in csv.DictReader(f)}


@pytest.mark.parametrize(
    "category", ["retention", "minimisation", "transfer", "rights", "statement", "integrity"]
)
def test_findings_equal_ground_truth_per_category(demo_run, category):
    ctx, result = demo_run
    rule_cat = {f.rule_id: f.category for f in result.findings}
    truth = {k for k in _truth(ctx) if rule_cat.get(k[0], _category_of(k[0])) == category}
    got = {f.key for f in result.findings if f.category == category}
    assert got - truth == set(), "findings not in the ground truth (false positives)"
    assert truth - got == set(), "planted findings the audit missed"


def test_second_demo_policy_moves_exactly_the_statutory_clock(demo_run, tmp_path):
    """The demo audited with its second policy (financial year ending 30.6.,
    ``audit_kit.demo.retention.FY_0630``): the findings differ from the first run exactly
    where the clock moves (ctx.clock_moves), nothing else."""
    import yaml

    from audit_kit.demo.retention import FY_0630
    from audit_kit.pipeline import run_audit
    from audit_kit.policy import default_policy_path
    from audit_kit.subject import TOMBSTONE_FILE

    ctx, result = demo_run
    raw = yaml.safe_load(default_policy_path().read_text(encoding="utf-8"))
    for key, value in FY_0630.items():
        raw[key] = {**raw.get(key, {}), **value}
    policy = tmp_path / "policy-fy0630.yaml"
    policy.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = yaml.safe_load((ctx.root / "config.yaml").read_text(encoding="utf-8"))
    config["policy"] = str(policy)
    config["sources"] = [{**s, "path": str(ctx.root / s["path"])} for s in config["sources"]]
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                          encoding="utf-8")
    shutil.copy(ctx.root / TOMBSTONE_FILE, tmp_path)  # read beside the config
    variant = run_audit(tmp_path / "config.yaml", out=tmp_path / "out", report=False)
    first = {f.key for f in result.findings}
    second = {f.key for f in variant.findings}
    assert ctx.clock_moves
    assert first - second == set(ctx.clock_moves)
    assert second - first == set()


def test_no_finding_asks_to_alter_an_invoice_inside_its_window(demo_run):
    """An invoice the Accounting Act still keeps is only ever M-voucher (keep it
    unchanged); the retention rows of held, unknown-status and unknown-purpose people
    are info or warnings, never errors to delete."""
    import duckdb

    from audit_kit.clock import voucher_kept_until
    from audit_kit.policy import default_policy_path, load_policy

    _, result = demo_run
    accounting = load_policy(default_policy_path()).accounting
    con = duckdb.connect(str(result.out / "warehouse.duckdb"), read_only=True)
    dated = con.execute("SELECT source, record_ref, last_activity FROM records "
                        "WHERE role = 'invoice_party'").fetchall()
    con.close()
    inside = {(s, ref) for s, ref, d in dated if voucher_kept_until(d, accounting) >= result.as_of}
    assert {f.rule_id for f in result.findings if (f.source, f.record_ref) in inside} == {
        "M-voucher"}
    severities = {(f.rule_id, f.severity) for f in result.findings
                  if f.rule_id in ("R-held", "R-status", "R-purpose-unknown")}
    assert severities == {("R-held", "info"), ("R-status", "warning"),
                          ("R-purpose-unknown", "info")}


def _category_of(rule_id: str) -> str:
    """The category the rule's family carries (a planted rule id without a finding)."""
    from audit_kit.rules import rule_categories

    return rule_categories()[rule_id]


def test_the_readmes_demo_output_is_the_demos(demo_run):
    """The README shows what `make demo` prints: the same counts, line for line."""
    ctx, result = demo_run
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("demo company written to data/demo")
    shown = text[start : text.index("report: audits/reports/demo/report.html", start)]
    assert shown.splitlines() == [
        f"demo company written to data/demo ({len(ctx.sources)} sources, "
        f"{len(ctx.expected)} planted findings in ground_truth.csv)",
        f"audit as of {result.as_of}: {len(result.findings)} findings",
        *("  " + line for line in result.summary_lines()),
    ]
    assert f"The {len(result.findings)} findings are exactly the planted ones" in text


def test_every_category_has_planted_findings(demo_run):
    ctx, _ = demo_run
    cats = {_category_of(k[0]) for k in _truth(ctx)}
    assert cats >= {"retention", "minimisation", "transfer", "rights", "statement"}


def test_rights_verdicts_and_safe_actions(demo_run):
    """The §8 plants with their severities (READING.md §8); the ban list is never a place
    to delete from, and no rights action gives a ban a grace period."""
    from collections import Counter

    from audit_kit.rules import rule_texts

    _, result = demo_run
    got = Counter((f.rule_id, f.severity) for f in result.findings if f.category == "rights")
    assert got == {
        ("R-ban", "error"): 1, ("R-ban-same-day", "warning"): 1,
        ("R-ban-listed", "warning"): 1,
        ("R-erasure", "error"): 4,           # overdue x3 places, erased yet still present
        ("R-erasure-open", "info"): 3,       # two fresh, one extended to three months
        ("R-erasure-refused", "info"): 1, ("R-tombstone", "warning"): 2,
    }
    assert not [f for f in result.findings if f.source_kind == "marketing_optouts"]
    texts = rule_texts()
    for rid, _sev in got:
        for key in ("action", "action_1"):
            fi = texts[rid].get(key, {}).get("fi", "")
            assert "kuukauden kuluessa" not in fi
            assert "kieltolista" not in fi.lower() or "ei poisteta" in fi, (rid, fi)


def test_outputs_follow_the_contract(demo_run):
    ctx, result = demo_run
    out = result.out
    for name in ("findings.csv", "warehouse.duckdb", "manifest.json", "report.html", "validation"):
        assert (out / name).exists(), name
    with open(out / "findings.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert tuple(header) == COLUMNS
    assert result.exit_code == 1
    m = json.loads((out / "manifest.json").read_text())
    assert m["as_of"] == "2026-12-31"
    assert {s["name"] for s in m["sources"]} == {s["name"] for s in ctx.sources}
    for s in m["sources"]:
        assert s["records_read"] == s["records_loaded"] + s["records_rejected"], s["name"]
        assert all(len(f["sha256"]) == 64 for f in s["files"])


def test_outputs_are_owner_only(demo_run):
    _, result = demo_run
    assert stat.S_IMODE(result.out.stat().st_mode) == 0o700
    for p in result.out.rglob("*"):
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p.name, oct(mode))


def test_findings_rows_are_normalised(demo_run):
    _, result = demo_run
    for f in result.findings:
        assert f.email == f.email.lower()
        assert not f.phone or f.phone.startswith("+")
        assert f.category in (
            "retention",
            "minimisation",
            "transfer",
            "rights",
            "statement",
            "integrity",
        )
        assert f.severity in ("error", "warning", "info")
        # statement gaps, integrity and a policy's system (T-mechanism) are nobody's; so is
        # W-retention (a log file's visitors, counted, never a person)
        if (f.category not in ("statement", "integrity") and f.source_kind != "policy"
                and f.rule_id != "W-retention"):
            assert f.subject_id.startswith("S-"), f.rule_id


def test_transfer_hetu_and_newsletter_plants_have_their_severity_and_provision(demo_run):
    """One T-mechanism error per system without a valid mechanism on record, each person
    in it a T-system warning; the order number labelled "Huoltotilaus" nothing; the
    mail-body codes errors citing the HETU provisions; the bulk mailings S-newsletter
    errors. (That the order-number message
    has no finding at all is the exact-set test's: it is not in the ground truth.)"""
    from audit_kit.demo.outbound import SENT_SOURCE

    _, result = demo_run
    got = {(f.rule_id, f.source, f.field, f.severity, f.provision) for f in result.findings
           if f.rule_id in ("T-mechanism", "T-system", "S-newsletter")
           or f.source == SENT_SOURCE}
    assert got == {
        ("T-mechanism", "android_backup", "", "error", "GDPR 44-46"),
        ("T-system", "phone-contacts", "", "warning", "GDPR 44-46"),
        ("T-system", "google-contacts", "", "warning", "GDPR 44-46"),
        ("M-field", SENT_SOURCE, "hetu", "error", "GDPR 5(1)(c); Tietosuojalaki 29 §"),
        ("S-newsletter", SENT_SOURCE, "list-unsubscribe", "error", "GDPR 5(1)(b); GDPR 13(1)(c)"),
        ("S-newsletter", SENT_SOURCE, "recipients", "error", "GDPR 5(1)(b); GDPR 13(1)(c)"),
    }
    assert len([f for f in result.findings if f.source == SENT_SOURCE and f.field == "hetu"]) == 2
    for f in result.findings:
        assert "unlawful" not in f.detail


def test_website_log_findings_are_exactly_the_planted_ones(demo_run):
    """The demo website's logs (audit_kit.demo.weblog): how far back they keep IP
    addresses (no period in the policy), an e-mail in a query string, a phone number in
    a referrer, a line cut short; nothing from the look-alikes or the bots."""
    ctx, result = demo_run
    got = sorted((f.rule_id, f.severity, f.source_file, f.record_ref, f.field, f.detail)
                 for f in result.findings if f.source == "website-log")
    tail = (": stop putting personal data in URLs (send the form by POST) and delete those "
            "lines (§12)")
    assert got == [
        ("I-rejected", "warning", "", "", "",
         "1 of 994 records rejected; see the rejects table for each reason"),
        ("W-retention", "warning", "www/logs/access.log.3.xz", "lines 1-5", "",
         "web logs keep IP addresses back to 2025-02-14: 22 months (20 visitor IP addresses "
         "in 4 log files); no retention period is set: set one and rotate the logs (§12)"),
        ("W-url", "error", "www/logs/access.log", "line 151", "email",
         "e-mail address in 1 logged URL (request, 2026-12-16)" + tail),
        ("W-url", "error", "www/logs/access.log", "line 152", "phone",
         "phone number in 1 logged URL (referrer, 2026-12-16)" + tail),
    ]
    by_rule = {f.rule_id: f for f in result.findings if f.source == "website-log"}
    assert by_rule["W-url"].category == "minimisation"
    assert by_rule["W-retention"].category == "retention"
    emails = {f.email for f in result.findings if f.rule_id == "W-url"} - {""}
    phones = {f.phone for f in result.findings if f.rule_id == "W-url"} - {""}
    # the e-mail and the phone are live customers' contact persons (the registers')
    live = {p.email for p in ctx.live_customer_contacts}
    assert emails <= live and len(emails) == 1 and len(phones) == 1


@pytest.mark.parametrize(("first", "code"), [
    ("audit_kit.rules.rights",
     "from audit_kit.rules import build_rules\n"
     "from audit_kit.policy import default_policy_path, load_policy\n"
     "got = [r.category for r in build_rules(load_policy(default_policy_path()))]\n"
     "assert got.index('retention') < got.index('rights'), got"),
])
def test_registries_keep_their_order_whatever_is_imported_first(first, code):
    """Rule families run in their modules' listed order even when a test (or a notebook)
    imported a later module first. (The demo's writers need no such guard: their order
    is the source-kind registry's, which no import changes.)"""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", f"import {first}\n{code}"], check=True)
