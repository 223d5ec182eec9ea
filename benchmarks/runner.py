# ruff: noqa: E501  (long literal templates and table rows)
"""The issue-9 benchmark: the whole audit at scale, stage by stage, against the obvious
alternatives measured in the same run. ``python -m benchmarks --help``; see README.md.

Per scale:

1. generate (or reuse) the scaled company (:mod:`benchmarks.scale`);
2. ``audit-kit run`` as a subprocess: wall time, and peak RSS from
   ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` read in a small wrapper process, so the
   number is that run's alone (the largest single process of the run: the pipeline or
   one of its loader pool workers, not their sum);
3. the same run in-process, with each source's loader timed and run_audit's own stage
   timings (load, people, rules_sql, validate, report);
4. baselines: per input the raw read (the physical floor) and a plain-Python loader
   (stdlib csv / xml.etree / vobject / mailbox / a regex loop); and the GX suites
   through GX's pandas engine on DataFrames pulled from the run's warehouse (see
   :func:`gx_pandas`) versus our SQL path (GX's SQL engine on DuckDB);
5. with the baselines, each loader's floor (:mod:`benchmarks.floors`): the SHA-256 of its
   inputs plus the insert of the rows it left in the warehouse, with no parsing.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import scale as S

HERE = Path(__file__).resolve().parent

TARGETS = {
    "run_wall_s": 120.0,  # whole run on L
    "run_peak_rss_mb": 2048.0,  # peak RSS on L
    "suites_vs_pandas": 10.0,  # our suites >= 10x faster than GX pandas
    "loader_vs_plain": 5.0,  # loader >= 5x its plain-Python baseline
    "loader_vs_raw": 5.0,  # loader within 5x of the raw read
}


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    pk = {}
    for p in (
        "audit-kit",
        "great-expectations",
        "duckdb",
        "pyarrow",
        "pandas",
        "numpy",
        "nbconvert",
        "phonenumbers",
        "vobject",
        "defusedxml",
        "sqlalchemy",
        "duckdb-engine",
    ):
        try:
            pk[p] = version(p)
        except PackageNotFoundError:
            pk[p] = None
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        pass
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory_gb": round(mem / 2**30, 1),
        "python": sys.version.split()[0],
        "packages": pk,
    }


# -- the whole run as a subprocess ----------------------------------------------------------------

_WRAPPER = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "rc = r.returncode\n"
    "w = time.perf_counter() - t\n"
    "print(json.dumps({'rc': rc, 'wall_s': w, 'stderr': r.stderr[-3000:] if rc > 1 else '', "
    "'peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
)


def whole_run(config: Path, out: Path, *, report: bool) -> dict:
    exe = Path(sys.executable).with_name("audit-kit")
    cmd = [str(exe) if exe.exists() else "audit-kit", "run", str(config), "--out", str(out)]
    if not report:
        cmd.append("--no-report")
    res = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True, check=True
    )
    got = json.loads(res.stdout.strip().splitlines()[-1])
    if got["rc"] not in (0, 1):  # 1 = error findings, a normal outcome
        raise RuntimeError(f"audit-kit run exited {got['rc']}: {got['stderr']}")
    return got


# -- in-process stages -----------------------------------------------------------------------------


def staged_run(config: Path, out: Path, *, report: bool) -> dict:
    """run_audit in-process; every source's loader call timed by wrapping get_loader."""
    from audit_kit import pipeline

    per_source: dict[str, float] = {}
    real = pipeline.get_loader

    def timed(kind: str):
        fn = real(kind)

        def run(source, sink):
            t = time.perf_counter()
            try:
                return fn(source, sink)
            finally:
                sink.flush()  # the pipeline flushes again; the last batch counts here
                per_source[source.name] = time.perf_counter() - t

        return run

    pipeline.get_loader = timed
    try:
        res = pipeline.run_audit(config, out=out, report=report)
    finally:
        pipeline.get_loader = real
    gc.collect()
    return {
        "timings": res.timings,
        "load_per_source": per_source,
        "findings": len(res.findings),
        "people": res.manifest["people"],
        "sources": {
            s["name"]: {
                k: s[k]
                for k in ("kind", "format", "records_read", "records_loaded", "records_rejected")
            }
            for s in res.manifest["sources"]
        },
    }


def table_sizes(warehouse: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("records", "fields", "rejects", "persons")
        }
    finally:
        con.close()


# -- baselines: raw read and plain-Python loaders ---------------------------------------------------


def raw_read(path: Path) -> tuple[float, int]:
    files = S.input_paths(path)
    t = time.perf_counter()
    n = 0
    for p in files:
        with open(p, "rb") as f:
            while block := f.read(8 << 20):
                n += len(block)
    return time.perf_counter() - t, n


def _plain_csv(path: Path, encoding: str, delimiter: str) -> int:
    """stdlib csv: decode, split, map the header, lower-case e-mails: tuples in a list."""
    with open(path, encoding=encoding, newline="") as f:
        r = csv.reader(f, delimiter=delimiter)
        header = [h.strip().lower() for h in next(r)]
        ie = next((i for i, h in enumerate(header) if "posti" in h or "e-mail" in h), None)
        rows = []
        for line, row in enumerate(r, start=2):
            if len(row) != len(header):
                continue
            rows.append((f"line {line}", *row, row[ie].strip().lower() if ie is not None else None))
    return len(rows)


def _plain_finvoice(path: Path) -> int:
    try:
        from benchmarks.bench_finvoice import baseline
    except ImportError:
        return -1
    return baseline(sorted(path.rglob("*.xml")))


def _plain_vcard(path: Path) -> int:
    import vobject

    n = 0
    with open(path, encoding="utf-8", newline="") as f:
        for card in vobject.readComponents(f, ignoreUnreadable=True):
            for _ in card.getChildren():
                pass
            n += 1
    return n


def _plain_mbox(path: Path) -> int:
    try:
        from benchmarks.bench_mail import stdlib
    except ImportError:
        return -1
    return stdlib(path)[1]


def _plain_log(path: Path) -> int:
    try:
        from benchmarks.bench_postfix import baseline
    except ImportError:
        return -1
    return sum(baseline(p) for p in sorted(path.iterdir()) if p.is_file())


PLAIN = {
    "customers_csv": ("stdlib csv", lambda p: _plain_csv(p, "cp1252", ";")),
    "service_contracts_csv": ("stdlib csv", lambda p: _plain_csv(p, "utf-8-sig", ",")),
    "marketing_optouts": ("stdlib csv", lambda p: _plain_csv(p, "cp1252", ";")),
    "erasure_requests": ("stdlib csv", lambda p: _plain_csv(p, "utf-8", ";")),
    "google_contacts_csv": ("stdlib csv", lambda p: _plain_csv(p, "utf-8-sig", ",")),
    "finvoice": ("xml.etree", _plain_finvoice),
    "vcard": ("vobject", _plain_vcard),
    "mbox": ("mailbox + email", _plain_mbox),
    "postfix_log": ("regex loop", _plain_log),
}


# -- GX: the suites through the pandas engine -----------------------------------------------------


def gx_pandas(warehouse: Path) -> dict:
    """The SQL rules' checks through GX's pandas engine, on DataFrames pulled from DuckDB.

    What is compared: the same rule ids as our SQL suites, each as a column-map
    expectation on a precomputed column (GX's pandas engine cannot express joins,
    grouping or the as-of arithmetic itself):

    * records: one int column per rule, the day number of the date the rule tests, set
      only on rows the rule applies to (role, person present, not a live contact, ...);
      ``ExpectColumnValuesToBeBetween(min_value=cutoff day)`` -> the unexpected rows are
      the findings. R-ban/R-erasure/R-email need joins: computed in pandas (merge) into
      a 0/NULL flag checked with ``ExpectColumnValuesToBeNull``. T-system is
      ``ExpectColumnValuesToNotBeInSet(system)``.
    * fields: M-field is ``ExpectColumnValuesToNotBeInSet(field, not-allowed classes)``.

    Two counts differ by design: M-field counts field rows (SQL groups them per record
    and class), R-maillog counts log-line records (SQL groups per address). The pull
    and precompute times are reported separately from GX's validation time.
    """
    import datetime as dt

    import duckdb
    import pandas as pd

    from audit_kit import gx_shim
    from audit_kit.policy import default_policy_path, load_policy
    from audit_kit.rules.transfers import invalid_systems

    gx_shim.install()
    import logging

    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    policy = load_policy(default_policy_path())
    out: dict = {}
    t0 = time.perf_counter()
    con = duckdb.connect(str(warehouse))  # GX's engine may still hold the file read-write
    as_of = con.execute("SELECT as_of FROM audit_params").fetchone()[0]
    rec = con.execute(
        "SELECT rec_id, source, system, role, person_name, email, phone, ended_on, "
        "last_activity, requested_on, kept_until FROM records"
    ).df()
    fld = con.execute("SELECT source, record_ref, field FROM fields").df()
    con.close()
    out["pull_s"] = time.perf_counter() - t0
    out["rows"] = {"records": len(rec), "fields": len(fld)}

    t0 = time.perf_counter()
    epoch = pd.Timestamp("1970-01-01")

    def days(col: pd.Series) -> pd.Series:
        return ((pd.to_datetime(col) - epoch).dt.days).astype("Int64")

    def months_before(m: int) -> int:
        y, mo = as_of.year, as_of.month - m
        while mo <= 0:
            mo += 12
            y -= 1
        import calendar

        d = dt.date(y, mo, min(as_of.day, calendar.monthrange(y, mo)[1]))
        return (d - dt.date(1970, 1, 1)).days

    asof_day = (as_of - dt.date(1970, 1, 1)).days
    present = rec.person_name.notna() | rec.email.notna() | rec.phone.notna()
    checks: list[tuple[str, str, dict]] = []  # (rule, expectation, kwargs)
    by_id = {r.rule: r for r in policy.retention}
    prospect_m = by_id["R-marketing"].months if "R-marketing" in by_id else 6
    live = rec[
        (
            (rec.role.isin(["customer_contact", "service_contact"]))
            & (rec.ended_on.isna() | (days(rec.ended_on) > asof_day))
        )
        | ((rec.role == "prospect") & (days(rec.last_activity) >= months_before(prospect_m)))
    ]
    live_emails = set(live.email.dropna())
    live_phones = set(live.phone.dropna())
    for r in policy.retention:
        col = f"c_{r.rule}"
        mask = rec.role == r.role
        if r.rule == "R-email":
            mask &= ~(rec.email.isin(live_emails) | rec.phone.isin(live_phones))
        elif r.rule != "R-maillog":
            mask &= present
        rec[col] = days(rec[r.counts_from]).where(mask)
        checks.append(
            (
                r.rule,
                "ExpectColumnValuesToBeBetween",
                {"column": col, "min_value": months_before(r.months)},
            )
        )
    for s in policy.statutory:
        col = f"c_{s.rule}"
        rec[col] = days(rec.kept_until).where(rec.role == s.role)
        checks.append(
            (s.rule, "ExpectColumnValuesToBeBetween", {"column": col, "min_value": asof_day})
        )
    # rights: joins in pandas, a flag column each
    ban, er = policy.rights.direct_marketing_ban, policy.rights.erasure
    q = rec[rec.role == "marketing_optout"]
    prospects = rec[rec.role == "prospect"]
    hits = set()
    for key in ("email", "phone"):
        m = prospects.dropna(subset=[key]).merge(
            q.dropna(subset=[key])[[key, "requested_on"]], on=key
        )
        hits |= set(m.loc[days(m.last_activity) > days(m.requested_on_y), "rec_id"])
    rec["c_ban"] = pd.Series(pd.NA, index=rec.index, dtype="Int64").mask(rec.rec_id.isin(hits), 1)
    checks.append((ban.rule, "ExpectColumnValuesToBeNull", {"column": "c_ban"}))
    deadline = months_before(er.deadline_months)
    req = rec[(rec.role == "erasure_request")]
    old_req = req[days(req.requested_on) < deadline]
    others = rec[~rec.role.isin(["erasure_request", "invoice_party"])]
    hits = set()
    for key in ("email", "phone"):
        m = others.dropna(subset=[key]).merge(
            old_req.dropna(subset=[key])[[key]].drop_duplicates(), on=key
        )
        hits |= set(m.rec_id)
    rec["c_erasure"] = pd.Series(pd.NA, index=rec.index, dtype="Int64").mask(
        rec.rec_id.isin(hits), 1
    )
    checks.append((er.rule, "ExpectColumnValuesToBeNull", {"column": "c_erasure"}))
    rd = days(rec.requested_on)
    rec["c_open"] = pd.Series(pd.NA, index=rec.index, dtype="Int64").mask(
        (rec.role == "erasure_request") & (rd >= deadline) & (rd <= asof_day), 1
    )
    checks.append((er.rule + "-open", "ExpectColumnValuesToBeNull", {"column": "c_open"}))
    bad = sorted(invalid_systems(policy, dt.date(2026, 1, 1)))
    checks.append(
        ("T-system", "ExpectColumnValuesToNotBeInSet", {"column": "system", "value_set": bad})
    )
    fchecks = [
        (
            "M-field",
            "ExpectColumnValuesToNotBeInSet",
            {"column": "field", "value_set": sorted(policy.fields.not_allowed)},
        )
    ]
    rec = rec.drop(
        columns=["person_name", "ended_on", "last_activity", "requested_on", "kept_until"]
    )
    out["precompute_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ctx = gx.get_context(mode="ephemeral")
    try:
        ctx.variables.progress_bars = {"globally": False}
    except Exception:
        pass
    ds = ctx.data_sources.add_pandas(name="frames")
    counts: dict[str, int] = {}
    for table, df, chks in (("records", rec, checks), ("fields", fld, fchecks)):
        asset = ds.add_dataframe_asset(name=table)
        bd = asset.add_batch_definition_whole_dataframe(f"{table}-whole")
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"pandas.{table}"))
        for rule, exp, kw in chks:
            suite.add_expectation(getattr(gx.expectations, exp)(**kw, meta={"rule_id": rule}))
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"pandas.{table}", data=bd, suite=suite)
        )
        res = vd.run(batch_parameters={"dataframe": df}, result_format={"result_format": "SUMMARY"})
        for r in res.results:
            counts[r.expectation_config.meta["rule_id"]] = int(
                r.result.get("unexpected_count") or 0
            )
    out["validate_s"] = time.perf_counter() - t0
    out["total_s"] = out["pull_s"] + out["precompute_s"] + out["validate_s"]
    out["counts"] = counts
    del rec, fld, ctx
    gc.collect()
    return out


def gx_sql(warehouse: Path) -> dict:
    """Our path, on the same warehouse: GX's SQL engine on DuckDB (run_validations)."""
    import tempfile

    from audit_kit.policy import default_policy_path, load_policy
    from audit_kit.rules import build_rules
    from audit_kit.validate import run_validations

    rules = build_rules(load_policy(default_policy_path()))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        counts = run_validations(warehouse, rules, Path(tmp) / "v")
        return {"validate_s": time.perf_counter() - t0, "counts": counts}


# -- one scale ---------------------------------------------------------------------------------


def run_scale(scale: float, *, kinds: list[str], report: bool, baselines: bool, log=print) -> dict:
    from audit_kit.loaders import source_kinds

    sup = set(source_kinds())
    use = [k for k in kinds if k in sup]
    for k in kinds:
        if k not in sup:
            log(f"  note: {k} skipped, its loader is not registered yet")
    t0 = time.perf_counter()
    root = S.generate(scale, use, log=log)
    gen_s = time.perf_counter() - t0
    config = root / "config.yaml"
    out_root = HERE / "work" / f"out-{scale:g}"
    shutil.rmtree(out_root, ignore_errors=True)
    out_root.mkdir(parents=True)
    result: dict = {
        "scale": scale,
        "counts": {k: S.counts(scale)[k] for k in use},
        "generate_s": gen_s,
    }
    result["input_bytes"] = {
        name: S.input_bytes(root, rel) for name, kind, rel, _ in S.SOURCES if kind in use
    }

    log(f"  audit-kit run (subprocess{'' if report else ', --no-report'}) ...")
    result["whole_run"] = whole_run(config, out_root / "cli", report=report)
    log(
        f"    wall {result['whole_run']['wall_s']:.1f} s, peak RSS {result['whole_run']['peak_rss_mb']:.0f} MB"
    )
    log("  staged run in-process ...")
    result["staged"] = staged_run(config, out_root / "staged", report=report)
    wh = out_root / "staged" / "warehouse.duckdb"
    result["tables"] = table_sizes(wh)
    log("    " + ", ".join(f"{k} {v:.1f} s" for k, v in result["staged"]["timings"].items()))

    if baselines:
        log("  GX suites: SQL engine on DuckDB vs pandas engine ...")
        result["gx_pandas"] = gx_pandas(wh)  # first: GX keeps its DuckDB instance open
        result["gx_sql"] = gx_sql(wh)
        log(
            f"    sql {result['gx_sql']['validate_s']:.1f} s; pandas pull "
            f"{result['gx_pandas']['pull_s']:.1f} + precompute {result['gx_pandas']['precompute_s']:.1f}"
            f" + validate {result['gx_pandas']['validate_s']:.1f} s"
        )
        result["loaders"] = {}
        for name, kind, rel, _ in S.SOURCES:
            if kind not in use:
                continue
            raw_s, nbytes = raw_read(root / rel)
            label, fn = PLAIN[kind]
            t = time.perf_counter()
            n = fn(root / rel)
            plain_s = time.perf_counter() - t if n >= 0 else None
            ours = result["staged"]["load_per_source"].get(name)
            result["loaders"][name] = {
                "kind": kind,
                "bytes": nbytes,
                "raw_read_s": raw_s,
                "plain": label,
                "plain_s": plain_s,
                "plain_records": n,
                "ours_s": ours,
            }
            log(
                f"    {name}: ours {ours:.2f} s, {label} {plain_s if plain_s is None else round(plain_s, 2)} s,"
                f" raw {raw_s:.3f} s"
            )
        log("  floors: hash the inputs, insert each source's rows from Arrow ...")
        result["floors"] = floors_run(scale)
    return result


def floors_run(scale: float) -> dict:
    """benchmarks.floors in a process of its own (this one's GX engine holds the warehouse
    open with another DuckDB configuration, and the floors' Arrow copies stay out of it)."""
    with tempfile.TemporaryDirectory(prefix="ak-floors-") as tmp:
        out = Path(tmp) / "floors.json"
        subprocess.run(
            [sys.executable, "-m", "benchmarks.floors", "--scale", f"{scale:g}", "--out", str(out)],
            check=True,
            cwd=HERE.parent,
        )
        return json.loads(out.read_text())["floors"]


# -- printing ---------------------------------------------------------------------------------------


def _ratio(a, b) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"


def summarise(results: list[dict]) -> str:
    out = io.StringIO()
    w = out.write
    for r in results:
        s = r["scale"]
        st = r["staged"]["timings"]
        wr = r["whole_run"]
        w(
            f"\n== scale {s:g}: {sum(r['input_bytes'].values()) / 2**20:,.0f} MiB of input; "
            f"records {r['tables']['records']:,}, fields {r['tables']['fields']:,}, "
            f"people {r['staged']['people']:,}, findings {r['staged']['findings']:,}\n"
        )
        ok = lambda c: "OK " if c else "MISS"  # noqa: E731
        w(
            f"whole run (audit-kit run): {wr['wall_s']:.1f} s wall, peak RSS {wr['peak_rss_mb']:.0f} MB"
            + (
                f"  [target at L: <120 s {ok(wr['wall_s'] < 120)}, <2 GB {ok(wr['peak_rss_mb'] < 2048)}]"
                if s == 1
                else ""
            )
            + "\n"
        )
        w("stages (in-process): " + ", ".join(f"{k} {v:.2f} s" for k, v in st.items()) + "\n")
        if "loaders" in r:
            w(
                f"{'source':<20}{'kind':<22}{'MiB':>8}{'ours s':>9}{'plain s':>9}{'raw s':>8}"
                f"{'plain/ours':>11}{'ours/raw':>10}  baseline\n"
            )
            for name, L in r["loaders"].items():
                sp = L["plain_s"] / L["ours_s"] if L["plain_s"] and L["ours_s"] else None
                sr = L["ours_s"] / L["raw_read_s"] if L["raw_read_s"] else None
                w(
                    f"{name:<20}{L['kind']:<22}{L['bytes'] / 2**20:>8.1f}{L['ours_s']:>9.2f}"
                    f"{(L['plain_s'] or 0):>9.2f}{L['raw_read_s']:>8.3f}"
                    f"{(f'{sp:.2f}x' if sp else '-'):>11}{(f'{sr:.0f}x' if sr else '-'):>10}  {L['plain']}"
                    f"  [{ok(sp and sp >= 5)} >=5x plain, {ok(sr and sr <= 5)} <=5x raw]\n"
                )
        if "floors" in r:
            from benchmarks import floors

            w("floors (SHA-256 of the inputs + insert of the source's rows from Arrow, no parsing):\n")
            w(floors.summarise(r["floors"], r))
        if "gx_pandas" in r:
            gp, gs = r["gx_pandas"], r["gx_sql"]
            w(
                f"GX suites: SQL engine {gs['validate_s']:.2f} s (+ rules SQL fetch {st.get('rules_sql', 0):.2f} s) | "
                f"pandas engine {gp['validate_s']:.2f} s validate + {gp['pull_s']:.2f} s pull + "
                f"{gp['precompute_s']:.2f} s precompute = {gp['total_s']:.2f} s\n"
            )
            sp = gp["total_s"] / gs["validate_s"]
            w(
                f"  pandas total / SQL = {sp:.2f}x [{ok(sp >= 10)} >=10x]; "
                f"pandas validate only / SQL = {gp['validate_s'] / gs['validate_s']:.2f}x\n"
            )
            w(
                "  counts (rule: sql / pandas): "
                + ", ".join(
                    f"{k}: {gs['counts'].get(k, '-')}/{gp['counts'].get(k, '-')}"
                    for k in sorted(gp["counts"])
                )
                + "\n"
            )
    if len(results) > 1:
        w("\n== growth\n")
        w(
            f"{'scale':>6}{'input MiB':>11}{'records':>11}{'wall s':>9}{'RSS MB':>9}"
            f"{'load s':>8}{'people s':>9}{'rules s':>8}{'gx s':>7}{'report s':>9}\n"
        )
        for r in results:
            st = r["staged"]["timings"]
            w(
                f"{r['scale']:>6g}{sum(r['input_bytes'].values()) / 2**20:>11,.0f}{r['tables']['records']:>11,}"
                f"{r['whole_run']['wall_s']:>9.1f}{r['whole_run']['peak_rss_mb']:>9.0f}"
                f"{st.get('load', 0):>8.1f}{st.get('people', 0):>9.1f}{st.get('rules_sql', 0):>8.1f}"
                f"{st.get('validate', 0):>7.1f}{st.get('report', 0):>9.1f}\n"
            )
        a, b = results[-2], results[-1]
        k = b["scale"] / a["scale"]
        tw = b["whole_run"]["wall_s"] / a["whole_run"]["wall_s"]
        tm = b["whole_run"]["peak_rss_mb"] / a["whole_run"]["peak_rss_mb"]
        w(
            f"from scale {a['scale']:g} to {b['scale']:g} (x{k:g} input): wall x{tw:.2f}, peak RSS x{tm:.2f}\n"
        )
        if b["scale"] < 1:
            # linear extrapolation from the two largest points (time = fixed + per-unit * scale)
            per = (b["whole_run"]["wall_s"] - a["whole_run"]["wall_s"]) / (b["scale"] - a["scale"])
            fixed = b["whole_run"]["wall_s"] - per * b["scale"]
            pm = (b["whole_run"]["peak_rss_mb"] - a["whole_run"]["peak_rss_mb"]) / (
                b["scale"] - a["scale"]
            )
            fm = b["whole_run"]["peak_rss_mb"] - pm * b["scale"]
            w(
                f"linear extrapolation to L (scale 1), not measured: wall ~{fixed + per:.0f} s, "
                f"peak RSS ~{fm + pm:.0f} MB\n"
            )
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--scale",
        type=float,
        action="append",
        help="workload scale (1 = L); repeat for a growth series (default 0.01)",
    )
    ap.add_argument(
        "--json", type=Path, help="write the results (with the machine description) here"
    )
    ap.add_argument("--kinds", help="comma-separated source kinds (default: all in the workload)")
    ap.add_argument("--report", action="store_true", help="render the HTML report too (nbconvert)")
    ap.add_argument(
        "--no-baselines", action="store_true", help="skip GX pandas and plain-Python baselines"
    )
    ap.add_argument("--regenerate", action="store_true", help="rewrite the cached inputs")
    args = ap.parse_args(argv)
    kinds = args.kinds.split(",") if args.kinds else list(S.WORKLOAD_L)
    unknown = [k for k in kinds if k not in S.WORKLOAD_L]
    if unknown:
        ap.error(f"unknown kinds {unknown}; known: {', '.join(S.WORKLOAD_L)}")
    if args.regenerate:
        for sc in args.scale or [0.01]:
            shutil.rmtree(S.scale_dir(sc), ignore_errors=True)
    doc = {"machine": machine(), "targets": TARGETS, "results": []}
    print(json.dumps(doc["machine"]))
    for sc in sorted(args.scale or [0.01]):
        print(f"\n-- scale {sc:g} --")
        doc["results"].append(
            run_scale(sc, kinds=kinds, report=args.report, baselines=not args.no_baselines)
        )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    print(summarise(doc["results"]))
    return 0
