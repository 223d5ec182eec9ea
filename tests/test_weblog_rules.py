"""Rules W-retention and W-url (statement §12) over loaded access logs: the deadline is
D + N months (READING.md), one finding per log file or per person, exact details."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audit_kit.config import SourceConfig
from audit_kit.context import RunContext
from audit_kit.loaders import get_loader
from audit_kit.loaders.web_access_log import visitor_id
from audit_kit.pipeline import evaluate, open_warehouse, resolve_people
from audit_kit.policy import load_policy
from tests._support import POLICY

AS_OF = dt.date(2026, 12, 31)
UA = '"-" "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"'


def _line(ip: str, day: dt.date, url: str = "/", referrer: str = "-") -> str:
    mon = ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec").split()[day.month - 1]
    return (f'{ip} - - [{day.day:02d}/{mon}/{day.year}:10:00:00 +0200] "GET {url} HTTP/1.1" '
            f'200 512 "{referrer}" {UA.split(" ", 1)[1]}')


def _audit(folder: Path, months: int | None, *, extra=None):
    """Load *folder* as source 'web', resolve people, evaluate; the W-* finding rows."""
    policy = load_policy(POLICY)
    policy = policy.model_copy(update={"web_logs": policy.web_logs.model_copy(
        update={"retention_months": months})})
    con = open_warehouse(AS_OF)
    from audit_kit.warehouse import SourceSink

    sink = SourceSink(con, source="web", kind="web_access_log", system="web_server")
    get_loader("web_access_log")(SourceConfig(name="web", kind="web_access_log", path=folder,
                                              system="web_server"), sink)
    if extra:
        extra(sink)
    sink.flush()
    resolve_people(con, policy, base=folder)
    ev = evaluate(con, RunContext(policy, as_of=AS_OF))
    return {rid: sorted(rows) for rid, rows in ev.rows.items() if rid.startswith("W-")}


@pytest.fixture
def logs(tmp_path):
    """access.log.1 (older) and access.log around the 3-month deadline of 31.12.2026."""
    (tmp_path / "access.log.1").write_text("\n".join([
        _line("192.0.2.1", dt.date(2026, 6, 1)),
        _line("192.0.2.3", dt.date(2026, 6, 1)),
        _line("192.0.2.1", dt.date(2026, 6, 2)),
    ]) + "\n", encoding="utf-8")
    (tmp_path / "access.log").write_text("\n".join([
        _line("192.0.2.1", dt.date(2026, 8, 31)),  # + 4 months = 31.12.: not missed
        _line("192.0.2.2", dt.date(2026, 9, 30)),  # + 3 months = 30.12.: missed on 31.12.
        _line("192.0.2.2", dt.date(2026, 10, 1)),  # + 3 months = 1.1.2027
        _line("66.249.66.1", dt.date(2026, 1, 1)).replace("Mozilla/5.0 (X11",
                                                          "Googlebot/2.1 (X11"),  # a bot
    ]) + "\n", encoding="utf-8")
    return tmp_path


def test_w_retention_per_file_with_the_deadline_d_plus_n_months(logs):
    rows = _audit(logs, 3)["W-retention"]
    assert rows == [
        ("web", "web_access_log", str(logs / "access.log"), "lines 1-2", None, None, "",
         "2 visitor IP addresses on 2 visitor-days past the 3-month retention (the oldest "
         "2026-08-31, the newest 2026-09-30): delete those lines and rotate the logs (§12)",
         "error", "2 kävijän IP-osoitteet 2 kävijäpäivältä on säilytetty yli 3 kuukauden "
         "säilytysajan (vanhin 31.8.2026, uusin 30.9.2026): poista nämä rivit ja ota lokien "
         "kierrätys käyttöön (seloste §12)", None),
        ("web", "web_access_log", str(logs / "access.log.1"), "lines 1-3", None, None, "",
         "2 visitor IP addresses on 3 visitor-days past the 3-month retention (the oldest "
         "2026-06-01, the newest 2026-06-02): delete those lines and rotate the logs (§12)",
         "error", "2 kävijän IP-osoitteet 3 kävijäpäivältä on säilytetty yli 3 kuukauden "
         "säilytysajan (vanhin 1.6.2026, uusin 2.6.2026): poista nämä rivit ja ota lokien "
         "kierrätys käyttöön (seloste §12)", None),
    ]
    # 31.8. + 4 months is 31.12.: the audit date is not after the deadline
    four = _audit(logs, 4)["W-retention"]
    assert [r[3] for r in four] == ["lines 1-3"]
    assert "1 visitor IP address on 1 visitor-day" not in four[0][7]
    assert four[0][7].startswith("2 visitor IP addresses on 3 visitor-days past the 4-month")


def test_w_retention_without_a_period_says_how_far_back(logs):
    assert _audit(logs, None)["W-retention"] == [
        ("web", "web_access_log", str(logs / "access.log.1"), "line 1", None, None, "",
         "web logs keep IP addresses back to 2026-06-01: 6 months (3 visitor IP addresses "
         "in 2 log files); no retention period is set: set one and rotate the logs (§12)",
         "warning", "verkkolokeissa on IP-osoitteita 1.6.2026 alkaen: 6 kuukautta (3 kävijän "
         "IP-osoitteet 2 lokitiedostossa); säilytysaikaa ei ole asetettu: päätä se ja ota "
         "lokien kierrätys käyttöön (seloste §12)", None),
    ]


@pytest.mark.parametrize("oldest, months", [
    (dt.date(2025, 2, 14), 22), (dt.date(2026, 1, 31), 11), (dt.date(2026, 12, 31), 0),
    (dt.date(2024, 12, 31), 24), (dt.date(2026, 6, 30), 6)])
def test_whole_months_to_the_audit_date(oldest, months):
    from audit_kit.rules.weblog import whole_months

    con = open_warehouse(AS_OF)
    con.execute("CREATE TABLE d AS SELECT ?::DATE AS oldest", [oldest])
    assert con.execute(f"SELECT {whole_months('oldest')} FROM d").fetchone()[0] == months


def test_w_url_one_finding_per_person(tmp_path):
    mail = "aino.tervo%40example.fi"
    (tmp_path / "access.log").write_text("\n".join([
        _line("192.0.2.1", dt.date(2026, 12, 1), f"/kiitos?lahettaja={mail}"),
        _line("192.0.2.1", dt.date(2026, 12, 3), "/", f"https://x.example/k?l={mail}"),
        _line("192.0.2.2", dt.date(2026, 12, 4), "/tarjous?puh=040%20912%203456"),
        _line("192.0.2.3", dt.date(2026, 12, 5), "/tarjous?puh=%2B358501234567"),
    ]) + "\n", encoding="utf-8")

    def customer(sink):  # Aino's e-mail and phone in the register: one person
        ref = sink.file(tmp_path / "access.log")
        sink.record(ref, "line 99", "customer_contact", person_name="Aino Tervo",
                    email="aino.tervo@example.fi", phone="+358409123456")

    rows = _audit(tmp_path, None, extra=customer)["W-url"]
    tail = (": stop putting personal data in URLs (send the form by POST) and delete those "
            "lines (§12)")
    assert [r[3:9] for r in rows] == [
        ("line 1", "aino.tervo@example.fi", None, "email+phone",
         "e-mail address and phone number in 3 logged URLs (referrer and request, "
         "2026-12-01..2026-12-04)" + tail, "error"),
        ("line 4", None, "+358501234567", "phone",
         "phone number in 1 logged URL (request, 2026-12-05)" + tail, "error"),
    ]
    sids = {r[9] for r in rows}
    assert len(sids) == 2 and None not in sids


def test_the_rules_read_visitors_as_the_loader_writes_them(logs):
    """W-retention counts distinct visitors by the first word of a web_visitor's detail."""
    con = open_warehouse(AS_OF)
    from audit_kit.warehouse import SourceSink

    sink = SourceSink(con, source="web", kind="web_access_log", system="web_server")
    get_loader("web_access_log")(SourceConfig(name="web", kind="web_access_log", path=logs,
                                              system="web_server"), sink)
    sink.flush()
    got = {v for (v,) in con.execute("SELECT DISTINCT split_part(detail, ' ', 1) FROM records "
                                     "WHERE role = 'web_visitor'").fetchall()}
    assert got == {visitor_id(f"192.0.2.{i}") for i in (1, 2, 3)}
