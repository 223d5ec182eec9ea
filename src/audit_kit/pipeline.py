"""The quarterly audit, end to end, as named stages a notebook can call one by one::

    con = open_warehouse(as_of, path)            # DuckDB with the audit date rules read
    loaded = load(cfg, policy, con, base=dir)    # every source's loader -> records, fields
    found = resolve_people(con, policy, base=dir)  # persons, subject ids; tombstones
    ev = evaluate(con, policy)                   # the policy's rules as SQL -> finding rows
    findings = validate(path, ev, results_dir)   # GX validates the same SQL; counts agree
    verdict = judge(findings, accepted, as_of)   # accepted findings marked, exit status
    manifest = write(out_dir, ...)               # findings.csv, summary.json, manifest.json
    render(out_dir, ev.rules, ...)               # GX Data Docs, report.html

:func:`run_audit` runs them in that order into a private staging folder beside the
target, moved into place only when complete, so an interrupted run leaves the previous
output untouched; the folder rules (what may be written, what a re-run keeps) are
:mod:`audit_kit.outdir`'s.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from audit_kit import __version__, outdir, people, progress, schema, subject
from audit_kit.config import AuditConfig, load_config, parse_date
from audit_kit.context import RunContext
from audit_kit.errors import AuditKitError, ConfigError, translate
from audit_kit.exitpolicy import (
    FAIL_ON,
    Accepted,
    Verdict,
    default_path,
    judge,
    load_accepted,
    summary,
)
from audit_kit.findings import Finding, sort_findings, write_csv
from audit_kit.loaders import LoadResult, get_loader
from audit_kit.policy import Policy, load_policy
from audit_kit.rules import FINDING_COLUMNS, Rule, build_rules, write_facts
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
    #: and the exit policy (an expired acceptance, one that matches nothing)
    warnings: list[str] = field(default_factory=list)
    #: the exit policy's ``--fail-on``
    fail_on: str = "error"
    #: the report written (None when the run made none)
    report: Path | None = None

    @property
    def exit_code(self) -> int:
        """0 no failing finding, 1 failing findings (:func:`audit_kit.exitpolicy.fails`)."""
        from audit_kit.exitpolicy import fails

        return 1 if any(fails(f, self.fail_on) for f in self.findings) else 0

    def summary(self) -> dict[str, Counter]:
        return _summary(self.findings)

    def __repr__(self) -> str:
        # what a notebook cell shows as text: counts, never the findings' e-mails and phones
        return (f"AuditResult(out={str(self.out)!r}, as_of={self.as_of.isoformat()}, "
                f"findings={len(self.findings)}, exit_code={self.exit_code})")

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
    """Mail loaders take the company's own domains and role mailboxes (not data subjects),
    from the run context."""
    import inspect

    params = inspect.signature(loader).parameters
    ctx = RunContext(policy)
    offer = {"own_domains": ctx.own_domains, "role_mailboxes": tuple(sorted(ctx.role_mailboxes))}
    return {k: v for k, v in offer.items() if k in params}


# -- the stages -------------------------------------------------------------------------


def open_warehouse(as_of: dt.date, path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A warehouse (in memory without *path*) with the canonical tables and the one-row
    ``audit_params`` holding the audit date every rule reads."""
    con = connect(path)
    schema.AUDIT_PARAMS.fill(con, "SELECT ?::DATE AS as_of", [as_of])
    return con


@dataclass
class Loaded:
    """What :func:`load` read: each source's :class:`LoadResult` and every input file as
    (source, file, sha256, bytes), in (source, file) order."""

    results: dict[str, LoadResult]
    files: list[tuple[str, str, str, int]]


def load(cfg: AuditConfig, policy: Policy, con, *, base: Path) -> Loaded:
    """Run every source's loader into the warehouse (file names relative to *base*, the
    config's folder); every source is checked before any is read."""
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
        sink = SourceSink(con, source=s.name, kind=s.kind, system=s.system, base=base,
                          limits=cfg.limits)
        try:
            # one commit per source, not one per INSERT; a progress line on a terminal
            with sink.transaction(), progress.source(s.name, s.kind) as bar:
                sink.show_progress(bar)
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
    files = con.execute("SELECT source, file, sha256, bytes FROM files ORDER BY source, file")
    return Loaded(results, files.fetchall())


@dataclass
class People:
    """What :func:`resolve_people` found: persons linked across sources, tombstones read."""

    persons: int
    tombstones: int


def resolve_people(con, policy: Policy, *, base: Path | None = None) -> People:
    """Link the warehouse's records into persons with keyed-hash subject ids (``persons``)
    and read the erased people's tombstones for R-tombstone (the files
    :func:`audit_kit.subject.tombstone_files` finds for the config folder *base*)."""
    persons = people.resolve(con, policy)
    return People(persons, subject.load_tombstones(con, base))


@dataclass
class Evaluation:
    """The rules and each one's finding rows as the warehouse returned them: rule_id ->
    rows of :data:`audit_kit.rules.FINDING_COLUMNS` (less rec_id) then the subject_id."""

    rules: list[Rule]
    rows: dict[str, list[tuple]]


def evaluate(con, ctx: RunContext | Policy) -> Evaluation:
    """Run the rules of *ctx* on the warehouse (people resolved), after writing the
    facts its rule families read (statement checks, transfer verdicts as of the audit
    date). A bare policy is audited as of the warehouse's own date (``audit_params``)."""
    if isinstance(ctx, Policy):
        (as_of,) = con.execute("SELECT as_of FROM audit_params").fetchone()
        ctx = RunContext(ctx, as_of=as_of)
    write_facts(con, ctx)
    rules = build_rules(ctx)
    cols = ", ".join(f"q.{c}" for c in FINDING_COLUMNS if c != "rec_id")
    rows = {}
    for rule in rules:
        rows[rule.rule_id] = con.execute(
            f"SELECT {cols}, p.subject_id FROM ({rule.query()}) q "
            "LEFT JOIN persons p ON p.rec_id = q.rec_id"
        ).fetchall()
    return Evaluation(rules, rows)


def validate(warehouse: Path, evaluation: Evaluation, results_dir: Path) -> list[Finding]:
    """Validate the same rules with Great Expectations on the closed *warehouse* file
    (masked results into *results_dir*); return the findings (:func:`to_findings`)."""
    from audit_kit.validate import run_validations

    return to_findings(evaluation, run_validations(warehouse, evaluation.rules, results_dir))


def to_findings(evaluation: Evaluation, gx_counts: dict[str, int]) -> list[Finding]:
    """The findings of *evaluation*, each once, sorted; an error if GX's count of a rule's
    unexpected rows (*gx_counts*) differs from the rows the warehouse returned."""
    found: list[Finding] = []
    for rule in evaluation.rules:
        got = evaluation.rows[rule.rule_id]
        if gx_counts.get(rule.rule_id) != len(got):
            raise AuditKitError(
                f"rule {rule.rule_id}: GX counted {gx_counts.get(rule.rule_id)} "
                f"unexpected rows, the warehouse {len(got)}; rerun with --debug"
            )
        for source, kind, file, ref, email, phone, fld, detail, sev, detail_fi, sid in got:
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
                    provision=rule.provision_of(fld or ""),
                    detail_fi=detail_fi or "",
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
    fail_on: str = "error",
    accepted: str | Path | None = None,
    junit: str | Path | None = None,
) -> AuditResult:
    """Run the audit described by *config*; write the outputs into *out*.

    *fail_on* and the accepted file *accepted* (default: ``accepted.yaml`` beside the
    policy, when it exists) decide the exit status (:mod:`audit_kit.exitpolicy`); *junit*
    names a JUnit XML file to write as well (:mod:`audit_kit.junit`).
    Returns an :class:`AuditResult`; raises :class:`AuditKitError` for unusable input.
    """
    with outdir.stop_on_signals() as signals:
        return _run_audit(config, as_of=as_of, out=out, report=report, lang=lang,
                          reveal=reveal, fail_on=fail_on, accepted=accepted, junit=junit,
                          signals=signals)


def _run_audit(config, *, as_of, out, report, lang, reveal, fail_on, accepted, junit,
               signals) -> AuditResult:
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
    acceptances = load_accepted(accepted, default=default_path(cfg.policy))
    if fail_on not in FAIL_ON:
        raise ConfigError(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    config_dir = Path(cfg.config_path).parent
    inputs = [s.path for s in cfg.sources] + [cfg.policy]
    inputs += [acceptances.path] if acceptances.path else []
    out_dir = outdir.check_run_folder(
        out if out else config_dir / "reports" / when.isoformat(),
        inputs=inputs,
        homes=[config_dir],
    )
    junit_path = check_junit_target(junit, inputs=inputs, out_dir=out_dir) if junit else None
    # a fresh name per run: GX keeps DuckDB instances per path alive within a process
    with outdir.staging(out_dir) as tmp:
        wh_path = tmp / "warehouse.duckdb"
        con = open_warehouse(when, wh_path)
        loaded = load(cfg, policy, con, base=config_dir)
        timings["load"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        found = resolve_people(con, policy, base=config_dir)
        timings["people"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        ev = evaluate(con, RunContext(policy, as_of=when, organisation=cfg.organisation))
        con.execute("CHECKPOINT")
        con.close()
        timings["rules_sql"] = time.perf_counter() - t1
        signals.check()
        t1 = time.perf_counter()
        findings = validate(wh_path, ev, tmp / "validation")
        timings["validate"] = time.perf_counter() - t1
        signals.check()  # GX may have swallowed an interrupt
        verdict = judge(findings, acceptances, as_of=when, fail_on=fail_on)
        findings = verdict.findings
        manifest = write(tmp, cfg=cfg, policy=policy, as_of=when, loaded=loaded, found=found,
                         findings=findings, verdict=verdict, rules=ev.rules)
        report_path = None
        if report:
            report_path = out_dir / render(
                tmp, ev.rules, lang=lang or policy.language, reveal=reveal,
                data_dir=config_dir.resolve(), timings=timings, policy=policy).name
        os.chmod(wh_path, 0o600)
        signals.check()  # an interrupt the report kernel took: the previous output stays
        with signals.deferred():  # the renames finish together
            outdir.promote(tmp, out_dir)
    if junit_path is not None:
        from audit_kit.junit import junit_xml

        outdir.make_private_dirs(junit_path.parent)
        outdir.write_private(junit_path, junit_xml(
            ev.rules, findings, RunContext(policy, as_of=when), fail_on=fail_on))
    timings["total"] = time.perf_counter() - t0
    return AuditResult(
        out=out_dir, as_of=when, findings=findings, manifest=manifest, timings=timings,
        warnings=[w for r in loaded.results.values() for w in r.warnings] + verdict.warnings,
        fail_on=fail_on, report=report_path,
    )


def check_junit_target(path: str | Path, *, inputs, out_dir: Path) -> Path:
    """Where ``--junit`` may write: a new file, or an earlier JUnit file of audit-kit's
    (its root names ``audit-kit``); never an input, a folder, nor inside the run folder
    (a re-run replaces that). Nothing is written here."""
    from audit_kit.errors import OutputError
    from audit_kit.junit import is_our_junit

    p = Path(path).resolve()
    where = f"--junit {path}"
    for src in inputs:
        s = Path(src).resolve()
        if p == s or p.is_relative_to(s):
            raise OutputError(f"{where} is or lies inside the input {s}; give a file outside "
                              "the inputs")
    if p.is_relative_to(out_dir.resolve()):
        raise OutputError(f"{where} lies inside the run folder --out {out_dir}; give a file "
                          "beside it (e.g. audit-junit.xml)")
    if p.is_dir():
        raise OutputError(f"{where} is a folder; give a file name")
    if p.exists() and not is_our_junit(p):
        raise OutputError(f"{where} exists and is not audit-kit's JUnit file; nothing was "
                          "changed; give a new file name")
    return p


def write(out_dir: Path, *, cfg: AuditConfig, policy: Policy, as_of: dt.date, loaded: Loaded,
          found: People, findings: list[Finding], verdict: Verdict | None = None,
          rules: list[Rule] | None = None) -> dict:
    """Write ``findings.csv``, ``summary.json`` (the exit policy's *verdict* on the
    *findings* of *rules*; by default the default policy without acceptances, over the
    rules that found something) and ``manifest.json`` (0600, listing the other two with
    their SHA-256) into *out_dir*; return the manifest. Identical inputs, key and
    versions give byte-identical files."""
    import hashlib

    verdict = verdict or judge(findings, Accepted(), as_of=as_of)
    accepted = verdict.accepted
    ids = ([(r.rule_id, r.category) for r in rules] if rules is not None
           else list(dict.fromkeys((f.rule_id, f.category) for f in findings)))
    write_csv(findings, out_dir / "findings.csv")
    os.chmod(out_dir / "findings.csv", 0o600)
    outdir.write_private(out_dir / "summary.json", json_text(summary(
        verdict, ids, as_of=as_of, versions=_summary_versions())))
    outputs = {name: {"sha256": hashlib.sha256((out_dir / name).read_bytes()).hexdigest()}
               for name in ("findings.csv", "summary.json")}
    results = loaded.results
    manifest = {
        outdir.RUN_MARKER[0]: outdir.RUN_MARKER[1],
        "organisation": cfg.organisation,
        "as_of": as_of.isoformat(),
        "audit_kit_version": __version__,
        "policy": {"version": policy.policy_version, "sha256": policy.sha256},
        "people": found.persons,
        "tombstones": found.tombstones,
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
                    for (src, f, h, b) in loaded.files
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
        "accepted": ({"file": accepted.path.name, "sha256": accepted.sha256,
                      "entries": len(accepted.entries)} if accepted.path else None),
        "outputs": outputs,
        "tool_versions": _tool_versions(),
    }
    outdir.write_private(out_dir / "manifest.json", json_text(manifest))
    return manifest


def render(out_dir: Path, rules: list[Rule], *, lang: str, reveal: bool = False,
           data_dir: Path, timings: dict[str, float] | None = None,
           policy: Policy | None = None) -> Path:
    """Build the GX Data Docs (``data_docs/``) and the owners' report (``report.html``,
    or ``report.revealed.html`` with *reveal*) in the run folder *out_dir* (warehouse and
    manifest written); ``report_params.json`` keeps *lang*, *data_dir* and what the
    report needs from *policy* for ``audit-kit report``. Returns the report's path; the seconds of
    each part go into *timings* (``data_docs``, ``report``) when given."""
    from audit_kit.report import render_report, save_report_params
    from audit_kit.report.datadocs import build_data_docs

    seconds = timings if timings is not None else {}
    t0 = time.perf_counter()
    build_data_docs(out_dir, rules)
    seconds["data_docs"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    save_report_params(out_dir, lang=lang, data_dir=data_dir, policy=policy)
    path = render_report(out_dir, lang=lang, reveal=reveal)
    seconds["report"] = time.perf_counter() - t0
    return path


def _summary(findings: list[Finding]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for f in findings:
        out.setdefault(f.category, Counter())[f.severity] += 1
    return out


def _summary_versions() -> dict[str, str]:
    """audit-kit, GX, DuckDB and Python, as ``summary.json`` names them."""
    import platform

    v = _tool_versions()
    return {"audit-kit": __version__, "great-expectations": v["great-expectations"],
            "duckdb": v["duckdb"], "python": platform.python_version()}


def _tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("great-expectations", "duckdb", "nbconvert", "phonenumbers", "python-stdnum"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out
