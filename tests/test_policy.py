"""Policy texts never reach SQL as code, and contradictory policies are refused.

The hostile run: every free-text value of the demo's policy (organisation, purposes,
sections, the law, system names and providers, extra own domains and role mailboxes)
gets a suffix of quotes, braces (GX's ``{batch}`` among them), semicolons, ``--``,
backslashes, newlines and a crafted ``UNION SELECT email``. The audit must give the same
findings as the plain demo, texts aside, and list no address the plain run did not.
"""

from __future__ import annotations

import re

import pytest
import yaml

from audit_kit.errors import PolicyError
from audit_kit.policy import load_policy
from audit_kit.rules import build_rules, sql_str
from tests._support import POLICY

EVIL = (
    "x' OR 'a'='a') UNION ALL SELECT email, email FROM records; -- \"{batch}{0}{} }{{ "
    "\\' \\\\ ;\n\tDROP TABLE records; /* %s $x"
)


def _hostile(policy: dict) -> dict:
    p = yaml.safe_load(yaml.safe_dump(policy))
    org = p["organisation"]
    for k in ("name", "contact"):
        org[k] += EVIL
    org["own_domains"].append("kone" + EVIL)
    org["role_mailboxes"].append("tiski" + EVIL)
    p["policy_version"] += EVIL
    p["purposes"] = {k: {lg: t + EVIL for lg, t in v.items()} if isinstance(v, dict)
                     else v + EVIL for k, v in p["purposes"].items()}
    p["fields"]["section"] += EVIL
    for r in p["retention"] + p["statutory"]:
        r["section"] += EVIL
    for s in p["statutory"]:
        s["law"] += EVIL
    p["systems"] = {
        name + EVIL: {**s, "provider": s["provider"] + EVIL, "section": s["section"] + EVIL}
        for name, s in p["systems"].items()
    }
    for r in p["rights"].values():
        r["section"] += EVIL
    for u in p["statement"]["unmentioned_transfers"]:
        for k in ("system", "section"):
            u[k] += EVIL
        u["what"] = {lg: t + EVIL for lg, t in u["what"].items()}
        u["text"] = {lg: v + EVIL for lg, v in u["text"].items()}
    for e in p["coverage"]:
        e["section"] += EVIL
        e["title"] = {lg: v + EVIL for lg, v in e["title"].items()}
    aa = p["access_answer"]
    aa["controller"] = {k: v + EVIL for k, v in aa["controller"].items()}
    aa["recipients"] = {name + EVIL: {lg: t + EVIL for lg, t in v.items()}
                        for name, v in aa["recipients"].items()}
    st = p["statement"]
    st["recipients_named"] = [v + EVIL for v in st["recipients_named"]]
    st["no_newsletter"]["section"] += EVIL
    return p


@pytest.mark.parametrize(
    "text", ["", "plain", "it's", "{batch}", "}{", "a\nb", "\x00", "--;\\'", "ä€\u2028\x85"]
)
def test_sql_str_is_the_value_in_duckdb_and_after_gx_substitution(text):
    import duckdb

    lit = sql_str(text)
    assert "{" not in lit and "}" not in lit and "\n" not in lit
    sql = f"SELECT {lit} AS v FROM {{batch}}"
    assert duckdb.sql(sql.format(batch="(SELECT 1)")).fetchall() == [(text,)]


@pytest.mark.slow
def test_hostile_policy_texts_give_the_plain_findings(demo_run, tmp_path):
    import shutil

    from audit_kit.pipeline import run_audit

    ctx, plain = demo_run
    data = tmp_path / "data"  # the demo's inputs, so source files are named as in the plain run
    shutil.copytree(ctx.root, data)
    hostile = tmp_path / "policy.yaml"
    cfg = yaml.safe_load((data / "config.yaml").read_text(encoding="utf-8"))
    demo_policy = data / cfg["policy"]  # the demo's own (audits/policy.yaml + its systems)
    hostile.write_text(
        yaml.safe_dump(_hostile(yaml.safe_load(demo_policy.read_text(encoding="utf-8"))),
                       allow_unicode=True), encoding="utf-8")
    cfg["policy"] = str(hostile)
    for s in cfg["sources"]:
        s["system"] += EVIL
    (data / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")

    got = run_audit(data / "config.yaml", out=tmp_path / "out")

    def plain_text(f):
        return tuple(getattr(f, c).replace(EVIL, "") if isinstance(getattr(f, c), str)
                     else getattr(f, c) for c in f.__dataclass_fields__)

    assert sorted(map(plain_text, got.findings)) == sorted(map(plain_text, plain.findings))
    assert any(EVIL in f.detail for f in got.findings)  # the texts did reach the findings

    def addresses(html: str) -> set[str]:
        return set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", html))

    page = (got.out / "report.html").read_text(encoding="utf-8")
    assert addresses(page) <= addresses((plain.out / "report.html").read_text(encoding="utf-8"))


def _edited(tmp_path, edit) -> PolicyError:
    p = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    edit(p)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(p, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        build_rules(load_policy(path))
    assert exc.value.file == str(path)
    return exc.value


def _set(path: str, value):
    def edit(p):
        *parents, last = path.split(".")
        for k in parents:
            p = p[int(k)] if isinstance(p, list) else p[k]
        if isinstance(p, list):
            p[int(last)] = value
        else:
            p[last] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "key", "says"),
    [
        (lambda p: p["fields"]["allowed"].append("birthday"), "fields.not_allowed.birthday",
         "both allowed and not allowed"),
        (_set("statutory.0.rule", "R-customer"), "statutory[0].rule", "already used by"),
        (_set("rights.erasure.rule", "R-ban"), "rights.erasure.rule", "already used by"),
        (_set("retention.1.rule", "R-erasure-open"), "rights.erasure.rule", "already used by"),
        (_set("retention.0.rule", "T-system"), "retention[0].rule", "audit-kit's own rules"),
        (_set("retention.0.rule", "R' OR 1=1 --"), "retention.0.rule", "pattern"),
        (_set("statutory.0.role", "invoice"), "statutory.0.role", "unknown role 'invoice'"),
        (_set("retention.1.role", "customer_contact"), "retention[1].role", "one clock"),
        (lambda p: p["retention"].append({**p["retention"][0], "rule": "R-x",
                                          "role": "invoice_party"}),
         "statutory[0].role", "one clock"),
        (_set("retention.0.role", "customer'); --"), "retention.0.role", "unknown role"),
        (lambda p: p["purposes"].update({"supplier": "x"}), "purposes", "unknown role 'supplier'"),
        (lambda p: p["statement"]["rights_listed"].append("portabilty"),
         "statement.rights_listed", "unknown right 'portabilty'"),
        (_set("statement.mechanism_named", "shield"), "statement.mechanism_named",
         "unknown transfer mechanism"),
        (_set("statement.unmentioned_transfers.0.system", "web"),
         "statement.unmentioned_transfers[0].system", "unknown system 'web'"),
        (lambda p: p["access_answer"]["recipients"].update({"crm": {"fi": "x", "en": "x"}}),
         "access_answer.recipients.crm", "unknown system 'crm'"),
        (lambda p: p["access_answer"]["data_sources"].update({"supplier": {"fi": "x", "en": "x"}}),
         "access_answer.data_sources", "unknown role 'supplier'"),
        (lambda p: p["purposes"].update({"prospect": {"fi": "markkinointi"}}),
         "purposes.prospect.en", "required key is missing"),
        (lambda p: p["organisation"]["role_mailboxes"].append("info@x.fi"),
         "organisation.role_mailboxes", "without @domain"),
        (_set("retention.0.months", -5), "retention.0.months", "greater than or equal to 0"),
        (_set("retention.0.months", 10**23), "retention.0.months", ""),
        (_set("rights.erasure.deadline_months", 0), "rights.erasure.deadline_months", ""),
        (_set("statutory.0.law", "KPL\x00"), "statutory[0].law", "control character"),
        # the coverage names the rules built, and every rule of a section (issue 15)
        (_set("coverage.4.audited_by.1", "M-fields"), "coverage[4].audited_by[1]",
         "no rule or statement check 'M-fields'; the ids this policy builds: R-customer, "),
        (lambda p: p["coverage"][5]["audited_by"].remove("R-held"), "coverage",
         "no entry names R-held (§6); add each to the audited_by of its statement section"),
        (lambda p: p["statement"].pop("no_newsletter"), "coverage[6].audited_by[0]",
         "no rule or statement check 'S-newsletter'"),
        (lambda p: p["statement"]["unmentioned_transfers"][0].pop("text"),
         "statement.unmentioned_transfers.0.text", "required key is missing"),
        (lambda p: p["coverage"][0].update({"rules": ["R-x"]}), "coverage.0.rules",
         "unknown key"),
        (lambda p: p["promises"].update({"newsletter": {"fi": "x", "en": "x"}}), "promises",
         "unknown category 'newsletter'"),
    ],
)
def test_contradictory_or_unknown_entries_are_refused_naming_file_and_key(tmp_path, edit, key,
                                                                          says):
    err = _edited(tmp_path, edit)
    assert err.place == f"key {key}" and says in err.message
    assert "\n" not in str(err)


def test_every_rule_of_a_section_the_demo_policy_builds_is_under_a_coverage_section():
    from audit_kit.rules import audited_ids

    pol = load_policy(POLICY)
    built = audited_ids(build_rules(pol))
    named = {i for e in pol.coverage for i in e.audited_by}
    assert sorted(r for r, sec in built.items() if sec and r not in named) == []
    # the only ids without a section: the statement's umbrella rule (its checks have
    # sections) and the data-integrity rules, which audit the export, not a promise
    assert sorted(r for r, sec in built.items() if not sec) == [
        "I-date", "I-empty", "I-reconcile", "I-rejected", "S-statement"]


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    text = POLICY.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  billing:"))
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(line, line + "\n" + line.replace("FI", "US"), 1),
                    encoding="utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    n = text.splitlines().index(line) + 2
    assert (exc.value.file, exc.value.place) == (str(path), "key billing")
    assert f"line {n}" in exc.value.message


def test_an_apostrophe_in_a_law_text_is_a_text(tmp_path):
    err_free = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    err_free["statutory"][0]["law"] = "Kirjanpitolaki 1336/1997 2:10 ('KPL')"
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(err_free, allow_unicode=True), encoding="utf-8")
    rule = next(r for r in build_rules(load_policy(path)) if r.rule_id == "R-invoice")
    from audit_kit import schema, warehouse

    con = warehouse.connect()  # the canonical tables, empty
    schema.AUDIT_PARAMS.fill(con, "SELECT DATE '2026-12-31' AS as_of")
    schema.PERSONS.create(con)  # no holds
    con.execute("INSERT INTO files (file_id, source, source_kind, file) "
                "VALUES (1, 'inv', 'finvoice', 'a.xml')")
    con.execute("INSERT INTO record_rows (file_id, record_ref, role, last_activity) "
                "VALUES (1, '1', 'invoice_party', DATE '2019-05-01')")
    (detail,) = con.execute(f"SELECT detail FROM ({rule.query()})").fetchone()
    assert detail == ("invoice of 2019-05-01, statutory retention (Kirjanpitolaki 1336/1997 "
                      "2:10 ('KPL')) ended 2025-12-31")
