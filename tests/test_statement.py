"""The statement's own gaps (READING.md "GDPR Art. 13 completeness"): each check fails on
the demo company's statement and passes once its claim is right, citing its article;
and the no-newsletter promise (§6) against the signs the loaders record."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from audit_kit import pipeline, warehouse
from audit_kit.config import SourceConfig
from audit_kit.context import RunContext
from audit_kit.demo import OWN_DOMAIN
from audit_kit.loaders import get_loader
from audit_kit.policy import default_policy_path, load_policy
from audit_kit.rules import build_rules
from audit_kit.rules.statement import CHECK_TEXTS, CHECKS, check_texts, statement_checks

POLICY = load_policy(default_policy_path())
AS_OF = dt.date(2026, 12, 31)


def _failed(policy=POLICY) -> dict[str, str]:
    return {c: d for c, _, f, _, d, _ in statement_checks(RunContext(policy, AS_OF)) if f}


def _claims(**update):
    return POLICY.model_copy(update={"statement": POLICY.statement.model_copy(update=update)})


#: check -> (the claim that fixes it, what its detail names)
FIXES = {
    "S-accounting-retention": (
        {"accounting_retention_stated": True, "deletes_when_relationship_ends": False},
        "Kirjanpitolaki 1336/1997 2:10, but the statement does not say so; it says the data "
        "are deleted when the customer relationship ends"),
    "S-purposes": (
        {"purposes_stated": list(POLICY.purposes)},
        "purposes the statement does not name: e-mail correspondence, invoicing and "
        "accounting, running and securing the website (GDPR Art. 13(1)(c))"),
    "S-legitimate-interest": ({"legitimate_interest_named": True}, "Art. 13(1)(d)"),
    "S-recipients": (
        {"recipients_named": ["Google LLC", "Netplaza Oy", "cloud billing software"]},
        "as recipients: Google LLC, Netplaza Oy, cloud billing software"),
    "S-sources": ({"data_from_person_only": False}, "from others: invoice_party, prospect"),
    "S-objection": ({"objection_conditional": False}, "Art. 21(1)"),
}
PROVISIONS = {
    "S-accounting-retention": "GDPR 13(2)(a)", "S-purposes": "GDPR 13(1)(c)",
    "S-legitimate-interest": "GDPR 13(1)(d)", "S-recipients": "GDPR 13(1)(e)",
    "S-sources": "GDPR 14(2)(f)", "S-objection": "GDPR 21(1); GDPR 21(2)",
}


@pytest.mark.parametrize("check", sorted(FIXES))
def test_each_gap_is_found_and_passes_once_the_claim_is_right(check):
    fix, names = FIXES[check]
    assert names in _failed()[check]
    assert check not in _failed(_claims(**fix))
    rule = next(r for r in build_rules(POLICY) if r.rule_id == "S-statement")
    assert rule.provision_of(check) == PROVISIONS[check]


def test_the_accounting_retention_alone_or_the_contradiction_alone_is_a_gap():
    absent = _failed(_claims(deletes_when_relationship_ends=False))["S-accounting-retention"]
    contradicted = _failed(_claims(accounting_retention_stated=True))["S-accounting-retention"]
    assert "does not say so" in absent and "contradicts" not in absent
    assert "does not say so" not in contradicted and "contradicts" in contradicted


def test_each_purpose_the_statement_leaves_out_is_named_once():
    """The mail server's log serves e-mail correspondence (its purpose text only qualifies
    it): S-purposes names that purpose once, in both languages, and not at all once the
    statement names it for either role."""
    rows = {c: (d, fi) for c, _, f, _, d, fi in statement_checks(RunContext(POLICY, AS_OF)) if f}
    assert rows["S-purposes"] == (
        "the data also serve purposes the statement does not name: e-mail correspondence, "
        "invoicing and accounting, running and securing the website (GDPR Art. 13(1)(c))",
        "tietoja käytetään myös tarkoituksiin, joita seloste ei mainitse: "
        "sähköpostiviestintä, laskutus ja kirjanpito, verkkosivuston ylläpito ja tietoturva "
        "(tietosuoja-asetus 13 art. 1 c)")
    stated = [*POLICY.statement.purposes_stated, "correspondent"]
    assert "e-mail correspondence" not in _failed(_claims(purposes_stated=stated))["S-purposes"]


def test_every_check_has_finnish_and_english_words_without_english_in_finnish():
    ids = [c.check_id for c in CHECKS] + [u.check for u in POLICY.statement.unmentioned_transfers]
    texts = check_texts(POLICY)
    for check in ids:
        assert set(texts[check]) == {"fi", "en"}, check
        for word in ("GDPR", "Art.", "legitimate", "retention", "mechanism"):
            assert word not in texts[check]["fi"], (check, word)
    # the library's own checks name no system or provider (the policy's or the detail do)
    words = {s.provider for s in POLICY.systems.values()} | {"Google", "Wordfence", "Defiant"}
    for check, text in CHECK_TEXTS.items():
        for lang in ("fi", "en"):
            assert not [w for w in words if w.lower() in text[lang].lower()], (check, lang)


def test_purposes_stated_must_be_the_policys_purposes(tmp_path):
    from audit_kit.errors import PolicyError

    text = default_policy_path().read_text(encoding="utf-8").replace(
        "purposes_stated: [customer_contact,", "purposes_stated: [newsletter,")
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"key statement.purposes_stated\[0\]\): unknown "
                                          r"purpose 'newsletter'"):
        load_policy(path)


# -- no newsletter (§6): the signs in the data -------------------------------------------------


def _mail(sender: str, to: list[str], **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), "x"
    msg["Date"] = "Mon, 30 Nov 2026 10:00:00 +0200"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Hei\n")
    return b"From - Mon Jan 01 00:00:00 2026\n" + msg.as_bytes(
        policy=email.policy.SMTP.clone(linesep="\n")) + b"\n"


def _externals(n: int, domain: str = "asiakas.example.fi") -> list[str]:
    return [f"henkilo{i}@{domain}" for i in range(n)]


def _postfix(qid: str, sender: str, recipients: list[str]) -> str:
    lines = [f"2026-11-30T10:00:00+02:00 mx1 postfix/qmgr[10]: {qid}: from=<{sender}>, "
             "size=900, nrcpt=1 (queue active)\n"]
    lines += [f"2026-11-30T10:00:01+02:00 mx1 postfix/smtp[11]: {qid}: to=<{r}>, "
              "relay=mx.example.net[192.0.2.7]:25, delay=1, status=sent (250 ok)\n"
              for r in recipients]
    return "".join(lines)


def _newsletter_rows(tmp_path: Path) -> set[tuple[str, str, str, str]]:
    import openpyxl

    own = f"myynti@{OWN_DOMAIN}"
    (tmp_path / "Sent.mbox").write_bytes(b"".join([
        _mail(own, _externals(1), List_Unsubscribe="<mailto:x@oulunkonttori.fi>"),  # sign
        _mail(own, _externals(1), Precedence="bulk"),                                # sign
        _mail(own, _externals(20)),                                                  # 20: sign
        _mail(own, _externals(19) + [f"kari@{OWN_DOMAIN}"] * 3),                     # 19: none
        _mail("uutiset@toinen.example.fi", [own], Precedence="bulk"),  # someone else's: none
        _mail("a@toinen.example.fi", _externals(25)),                  # not sent by us: none
    ]))
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "maillog").write_text(
        _postfix("4B1C2D3E4F", own, _externals(20, "b.example.fi"))
        + _postfix("5C2D3E4F50", own, _externals(19, "c.example.fi"))
        + _postfix("6D3E4F5061", "x@d.example.fi", _externals(30, "e.example.fi")),
        encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.title = "Prospektit"
    wb.active.append(["Nimi", "Sähköposti", "Uutiskirje tilattu", "Viimeisin markkinointi"])
    wb.active.append(["Aino Mäkinen", "aino@asiakas.example.fi", "kyllä", dt.date(2026, 11, 1)])
    wb.create_sheet("Tilaajat")
    wb.save(tmp_path / "lista.xlsx")
    con = pipeline.open_warehouse(AS_OF)
    for name, kind, path in (("sent", "mbox", tmp_path / "Sent.mbox"),
                             ("log", "postfix_log", tmp_path / "log"),
                             ("list", "marketing_list", tmp_path / "lista.xlsx")):
        sink = warehouse.SourceSink(con, source=name, kind=kind, system="mail")
        kw = {"own_domains": (OWN_DOMAIN,)} if kind != "marketing_list" else {}
        res = get_loader(kind)(SourceConfig(name=name, kind=kind, path=path, system="mail"),
                               sink, **kw)
        sink.flush()
        assert res.reconciles
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)
    return {(src, fld, detail.split(" (§")[0], fi.split(" (seloste §")[0])
            for src, _, _, _, _, _, fld, detail, _, fi, _ in ev.rows["S-newsletter"]}


def test_every_sign_of_a_newsletter_is_a_finding_and_nothing_else(tmp_path):
    own = f"myynti@{OWN_DOMAIN}"
    assert _newsletter_rows(tmp_path) == {
        ("sent", "list-unsubscribe", f"a message from {own} with a List-Unsubscribe header: "
                                     "a bulk mailing",
         f"viesti osoitteesta {own}, jossa on List-Unsubscribe-otsake: joukkopostitus"),
        ("sent", "precedence-bulk", f"a message from {own} with Precedence: bulk: a bulk mailing",
         f"viesti osoitteesta {own}, jossa on otsake Precedence: bulk: joukkopostitus"),
        ("sent", "recipients", f"one message from {own} to 20 external recipients: a bulk mailing",
         f"yksi viesti osoitteesta {own} 20 ulkoiselle vastaanottajalle: joukkopostitus"),
        ("log", "recipients", f"one message from {own} to 20 external recipients: a bulk mailing",
         f"yksi viesti osoitteesta {own} 20 ulkoiselle vastaanottajalle: joukkopostitus"),
        ("list", "column", "a column named 'Uutiskirje tilattu': a newsletter register",
         "sarake nimeltä 'Uutiskirje tilattu': uutiskirjerekisteri"),
        ("list", "sheet", "a sheet named 'Tilaajat': a newsletter register",
         "välilehti nimeltä 'Tilaajat': uutiskirjerekisteri"),
    }


def test_without_the_promise_there_is_no_newsletter_rule():
    silent = _claims(no_newsletter=None)
    assert "S-newsletter" not in {r.rule_id for r in build_rules(silent)}
    assert "S-newsletter" in {r.rule_id for r in build_rules(POLICY)}
