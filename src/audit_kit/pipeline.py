"""The quarterly audit, end to end: config -> loaders -> DuckDB -> GX -> findings -> report.

Outputs are built in a private staging folder beside the target and moved into place
only when complete, so an interrupted run leaves the previous output untouched; the
folder rules (what may be written, what a re-run keeps) are :mod:`audit_kit.outdir`'s.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit import __version__, outdir, people, subject
from audit_kit.config import AuditConfig, load_config, parse_date
from audit_kit.errors import AuditKitError, ConfigError, translate
from audit_kit.findings import Finding, sort_findings, write_csv
from audit_kit.loaders import LoadResult, get_loader
from audit_kit.policy import Policy, load_policy
from audit_kit.rules import FINDING_COLUMNS, build_rules
from audit_kit.rules.statement import statement_checks
from audit_kit.safe_output import json_text, stored_name
from audit_kit.warehouse import SourceSink, connect


@dataclass
class AuditResult:
    """What a run produced; renders as a summary table in Jupyter."""

    out: Path
    as_of: dt.date
    findings: list[Finding]
    manifest: dict
    timings: dict[str, float] = field(default_factory=dict)
    #: one line each for the owner, from the loaders (e.g. a file name that is not UTF-8)
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity == "error" for f in self.findings) else 0

    def summary(self) -> dict[str, Counter]:
        return _summary(self.findings)

    def summary_lines(self) -> list[str]:
        lines = []
        for cat in ("retention", "minimisation", "transfer", "rights", "statement", "integrity"):
            c = self.summary().get(cat, Counter())
            lines.append(
                f"{cat:<13} {c['error']:>5} errors {c['warning']:>5} warnings {c['info']:>5} info"
            )
        return lines

    def _repr_html_(self) -> str:
        import html

        rows = "".join(f"<tr><td>{html.escape(line)}</td></tr>" for line in self.summary_lines())
        return (
            f"<p>audit as of {self.as_of} &rarr; {html.escape(str(self.out))}</p>"
            f"<table>{rows}</table>"
        )


#: the audit dates accepted; outside them a date is a typo (year 1 has no previous
#: quarter for the report's comparison, 0000Q4 no last day)
AS_OF_RANGE = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


def check_audit_date(when: dt.date, *, what: str = "the audit date", file=None) -> dt.date:
    """*when* if it lies in :data:`AS_OF_RANGE`, else a :class:`ConfigError`."""
    lo, hi = AS_OF_RANGE
    if not lo <= when <= hi:
        raise ConfigError(
            f"{what} {when.isoformat()} is outside {lo.isoformat()}..{hi.isoformat()}; "
            "give the date the audit covers", file=file)
    return when


def _policy_kwargs(loader, policy: Policy) -> dict:
    """Mail loaders take the company's own domains and role mailboxes (not data subjects)."""
    import inspect

    params = inspect.signature(loader).parameters
    org = policy.organisation
    offer = {"own_domains": tuple(org.own_domains), "role_mailboxes": tuple(org.role_mailboxes)}
    return {k: v for k, v in offer.items() if k in params}


def load_sources(cfg: AuditConfig, policy: Policy, con, base: Path) -> dict[str, LoadResult]:
    """Run every source's loader into the warehouse; return the results by source."""
    loaders = {}
    for s in cfg.sources:  # check everything before reading anything
        if s.system not in policy.systems:
            raise ConfigError(
                f"system {s.system!r} is not in the policy's systems inventory; known: "
                f"{', '.join(policy.systems)}",
                file=cfg.config_path,
                place=f"source {s.name}",
            )
        loaders[s.name] = get_loader(s.kind)
        if not s.path.exists():
            raise ConfigError(
                "input not found; check the source's path", file=s.path, place=f"source {s.name}"
            )
    results = {}
    for s in cfg.sources:
        sink = SourceSink(con, source=s.name, kind=s.kind, system=s.system, base=base)
        try:
            with sink.transaction():  # one commit per source, not one per INSERT
                res = loaders[s.name](s, sink, **_policy_kwargs(loaders[s.name], policy))
        except AuditKitError:
            raise
        except Exception as exc:  # a loader bug or an unexpected library error
            raise translate(exc, file=s.path) from exc
        res.warnings += sink.warnings
        con.execute(
            "INSERT INTO load_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                s.name,
                s.kind,
                s.system,
                res.format,
                len(sink.files),
                res.records_read,
                res.records_loaded,
                res.records_rejected,
                stored_name("; ".join(res.warnings + res.notes)),
            ],
        )
        results[s.name] = res
    return results


def _rule_rows(con, rules) -> dict[str, list[tuple]]:
    cols = ", ".join(f"q.{c}" for c in FINDING_COLUMNS if c != "rec_id")
    out = {}
    for rule in rules:
        out[rule.rule_id] = con.execute(
            f"SELECT {cols}, p.subject_id FROM ({rule.query()}) q "
            "LEFT JOIN persons p ON p.rec_id = q.rec_id"
        ).fetchall()
    return out


def _findings(rules, rows: dict[str, list[tuple]], gx_counts: dict[str, int]) -> list[Finding]:
    found: list[Finding] = []
    for rule in rules:
        got = rows[rule.rule_id]
        if gx_counts.get(rule.rule_id) != len(got):
            raise AuditKitError(
                f"rule {rule.rule_id}: GX counted {gx_counts.get(rule.rule_id)} "
                f"unexpected rows, the warehouse {len(got)}; rerun with --debug"
            )
        for source, kind, file, ref, email, phone, fld, detail, sev, sid in got:
            found.append(
                Finding(
                    rule.rule_id,
                    rule.category,
                    sev,
                    source,
                    kind,
                    file or "",
                    ref or "",
                    sid or "",
                    email or "",
                    phone or "",
                    fld or "",
                    detail or "",
                )
            )
    # the same finding twice (a rule row per matching join) is one; the file is part of
    # what tells findings apart (two rotated logs' "line 1" are two log lines)
    uniq = {(f.key, f.source_file, f.detail): f for f in found}
    return sort_findings(list(uniq.values()))


def run_audit(
    config: str | Path,
    *,
    as_of: str | dt.date | None = None,
    out: str | Path | None = None,
    report: bool = True,
    lang: str | None = None,
    reveal: bool = False,
) -> AuditResult:
    """Run the audit described by *config*; write the outputs into *out*.

    Returns an :class:`AuditResult`; raises :class:`AuditKitError` for unusable input.
    """
    with outdir.stop_on_signals() as signals:
        return _run_audit(config, as_of=as_of, out=out, report=report, lang=lang,
                          reveal=reveal, signals=signals)


def _run_audit(config, *, as_of, out, report, lang, reveal, signals) -> AuditResult:
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    cfg = load_config(config)
    policy = load_policy(cfg.policy)
    if as_of:
        when = check_audit_date(parse_date(as_of, what="--as-of"), what="--as-of")
    elif cfg.as_of is not None:
        when = check_audit_date(cfg.as_of, what="as_of", file=cfg.config_path)
    else:
        raise ConfigError(
            "no audit date: give --as-of or `as_of:` in the config", file=cfg.config_path
        )
    config_dir = Path(cfg.config_path).parent
    out_dir = outdir.check_run_folder(
        out if out else config_dir / "reports" / when.isoformat(),
        inputs=[s.path for s in cfg.sources] + [cfg.policy],
        homes=[config_dir],
    )
    # a fresh name per run: GX keeps DuckDB instances per path alive within a process
    with outdir.staging(out_dir) as tmp:
        wh_path = tmp / "warehouse.duckdb"
        con = connect(wh_path)
        con.execute("CREATE TABLE audit_params AS SELECT ?::DATE AS as_of", [when])
        results = load_sources(cfg, policy, con, config_dir)
        timings["load"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        n_people = people.resolve(con, policy)
        # erased people's keyed hashes, for R-tombstone (subject.py: where the files live)
        n_tombstones = subject.load_tombstones(con, config_dir)
        timings["people"] = time.perf_counter() - t1
        con.execute(
            "CREATE TABLE statement_checks (check_id VARCHAR, section VARCHAR, "
            "failed BOOLEAN, severity VARCHAR, detail VARCHAR)"
        )
        con.executemany(
            "INSERT INTO statement_checks VALUES (?, ?, ?, ?, ?)", statement_checks(policy)
        )
        rules = build_rules(policy)
        t1 = time.perf_counter()
        rows = _rule_rows(con, rules)
        files = con.execute(
            "SELECT source, file, sha256, bytes FROM files ORDER BY source, file"
        ).fetchall()
        con.execute("CHECKPOINT")
        con.close()
        timings["rules_sql"] = time.perf_counter() - t1
        signals.check()
        t1 = time.perf_counter()
        from audit_kit.validate import run_validations

        # GX validates the same SQL; its counts must equal the rows the warehouse returned
        gx_counts = run_validations(wh_path, rules, tmp / "validation")
        timings["validate"] = time.perf_counter() - t1
        signals.check()  # GX may have swallowed an interrupt
        findings = _findings(rules, rows, gx_counts)
        write_csv(findings, tmp / "findings.csv")
        os.chmod(tmp / "findings.csv", 0o600)
        manifest = {
            outdir.RUN_MARKER[0]: outdir.RUN_MARKER[1],
            "organisation": cfg.organisation,
            "as_of": when.isoformat(),
            "audit_kit_version": __version__,
            "policy": {"version": policy.policy_version, "sha256": policy.sha256},
            "people": n_people,
            "tombstones": n_tombstones,
            "sources": [
                {
                    "name": s.name,
                    "kind": s.kind,
                    "system": s.system,
                    "format": results[s.name].format,
                    "records_read": results[s.name].records_read,
                    "records_loaded": results[s.name].records_loaded,
                    "records_rejected": results[s.name].records_rejected,
                    "notes": results[s.name].warnings + results[s.name].notes,
                    "files": [
                        {"file": f, "sha256": h, "bytes": b}
                        for (src, f, h, b) in files
                        if src == s.name
                    ],
                }
                for s in cfg.sources
            ],
            "findings": {
                f"{c}/{s}": n
                for c, cs in sorted(_summary(findings).items())
                for s, n in sorted(cs.items())
            },
            "tool_versions": _tool_versions(),
        }
        outdir.write_private(tmp / "manifest.json", json_text(manifest))
        if report:
            from audit_kit.report import render_report, save_report_params
            from audit_kit.report.datadocs import build_data_docs

            t1 = time.perf_counter()
            build_data_docs(tmp, rules)
            timings["data_docs"] = time.perf_counter() - t1
            signals.check()
            t1 = time.perf_counter()
            save_report_params(tmp, lang=lang or policy.language, data_dir=config_dir.resolve())
            render_report(tmp, lang=lang or policy.language, reveal=reveal)
            timings["report"] = time.perf_counter() - t1
        os.chmod(wh_path, 0o600)
        signals.check()  # an interrupt the report kernel took: the previous output stays
        with signals.deferred():  # the renames finish together
            outdir.promote(tmp, out_dir)
    timings["total"] = time.perf_counter() - t0
    return AuditResult(
        out=out_dir, as_of=when, findings=findings, manifest=manifest, timings=timings,
        warnings=[w for r in results.values() for w in r.warnings],
    )


def _summary(findings: list[Finding]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for f in findings:
        out.setdefault(f.category, Counter())[f.severity] += 1
    return out


def _tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("great-expectations", "duckdb", "nbconvert", "phonenumbers", "python-stdnum"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out
