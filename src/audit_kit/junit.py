"""``--junit FILE``: the run as JUnit XML, the test report every CI system shows.

One ``testsuite`` per category, one ``testcase`` per rule, and for ``S-statement`` one per
statement check (its findings' ``field``) instead of the rule as a whole. A case:

* **fails** when it has findings that fail the run (:func:`audit_kit.exitpolicy.fails`):
  ``<failure>`` with the counts in its message and one line per failing finding;
* is **skipped** when its findings at the ``--fail-on`` level are all accepted (the
  message counts them);
* **passes** otherwise; findings below the ``--fail-on`` level are listed in its
  ``system-out``.

What must stay true: a finding is named only by its severity and stable key
(:attr:`audit_kit.findings.Finding.stable_key`: rule, source, keyed-hash subject id,
field class), never by an e-mail, phone, name, file name or detail text, so a CI log
shows no personal data; the document validates against the Jenkins xUnit plugin's
``junit-10.xsd`` (``tests/test_exitpolicy.py``); it has no timestamps or host names, so
the same run gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from audit_kit.exitpolicy import fails
from audit_kit.findings import Finding, sort_findings
from audit_kit.vocab import CATEGORIES, SEVERITIES

ROOT_NAME = "audit-kit"
#: lines listed per case; the message keeps the full counts
MAX_LINES = 200
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(s: str) -> str:
    return _XML_INVALID.sub("\ufffd", s)


def _line(f: Finding) -> str:
    mark = {"yes": " (accepted)", "expired": " (acceptance expired)"}.get(f.accepted, "")
    return f"{f.severity} {f.stable_key}{mark}"


def _lines(items: list[Finding]) -> str:
    out = [_line(f) for f in items[:MAX_LINES]]
    if len(items) > MAX_LINES:
        out.append(f"... and {len(items) - MAX_LINES} more (findings.csv lists them)")
    return _text("\n".join(out))


def _counts(items: list[Finding]) -> str:
    c = Counter(f.severity for f in items)
    return ", ".join(f"{c[s]} {s}" for s in SEVERITIES if c[s])


def _cases(rules, findings: list[Finding], ctx) -> list[tuple[str, str, str, list[Finding]]]:
    """(category, classname, name, findings) for every rule, statement checks apart."""
    from audit_kit.rules.statement import statement_checks

    out = []
    for rule in sorted(rules, key=lambda r: CATEGORIES.index(r.category)):
        mine = [f for f in findings if f.rule_id == rule.rule_id]
        cls = f"{ROOT_NAME}.{rule.category}"
        if rule.rule_id == "S-statement":
            checks = [c[0] for c in statement_checks(ctx)]
            checks += sorted({f.field for f in mine} - set(checks))
            for check in checks:
                out.append((rule.category, f"{cls}.{rule.rule_id}", check,
                            [f for f in mine if f.field == check]))
        else:
            out.append((rule.category, cls, rule.rule_id, mine))
    return out


def junit_xml(rules, findings: list[Finding], ctx, *, fail_on: str) -> str:
    """The JUnit XML text of a run: *rules* as run, *findings* as judged
    (:func:`audit_kit.exitpolicy.judge`), *ctx* the run's context (its statement checks)."""
    findings = sort_findings(findings)
    root = ET.Element("testsuites", name=ROOT_NAME)
    suites: dict[str, ET.Element] = {}
    totals: Counter[str] = Counter()
    for category, cls, name, mine in _cases(rules, findings, ctx):
        suite = suites.get(category)
        if suite is None:
            suite = suites[category] = ET.SubElement(root, "testsuite", name=category)
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="as_of", value=ctx.audit_date().isoformat())
            ET.SubElement(props, "property", name="fail_on", value=fail_on)
        case = ET.SubElement(suite, "testcase", name=_text(name), classname=_text(cls),
                             time="0")
        failing = [f for f in mine if fails(f, fail_on)]
        accepted = [f for f in mine if f.accepted == "yes"]
        rest = [f for f in mine if f not in failing]
        totals[f"{category}/tests"] += 1
        if failing:
            worst = min(SEVERITIES.index(f.severity) for f in failing)
            n = len(failing)
            msg = f"{n} finding{' fails' if n == 1 else 's fail'} ({_counts(failing)})"
            if accepted:
                msg += f"; {len(accepted)} accepted"
            fail = ET.SubElement(case, "failure", message=msg, type=SEVERITIES[worst])
            fail.text = _lines(failing)
            totals[f"{category}/failures"] += 1
        elif accepted and fail_on != "never" and any(
                SEVERITIES.index(f.severity) <= SEVERITIES.index(fail_on) for f in accepted):
            n = len(accepted)
            ET.SubElement(case, "skipped",
                          message=f"{n} finding{'' if n == 1 else 's'} accepted "
                                  f"({_counts(accepted)}); see the accepted-findings file")
            totals[f"{category}/skipped"] += 1
        if rest:
            ET.SubElement(case, "system-out").text = _lines(rest)
    for category, suite in suites.items():
        suite.set("tests", str(totals[f"{category}/tests"]))
        suite.set("failures", str(totals[f"{category}/failures"]))
        suite.set("errors", "0")
        suite.set("skipped", str(totals[f"{category}/skipped"]))
        suite.set("time", "0")
    root.set("tests", str(sum(v for k, v in totals.items() if k.endswith("/tests"))))
    root.set("failures", str(sum(v for k, v in totals.items() if k.endswith("/failures"))))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def is_our_junit(path: Path) -> bool:
    """Whether *path* is a JUnit file audit-kit wrote (its root is ``testsuites`` named
    ``audit-kit``), which ``--junit`` may replace."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return f'<testsuites name="{ROOT_NAME}"'.encode() in head
