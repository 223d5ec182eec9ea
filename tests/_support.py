"""What the tests share besides fixtures: the repository's paths, small builders and the
planted report run. Test modules import from here, never from one another or from
``conftest.py`` (which holds the fixtures; ``tests/test_lint.py`` checks the rule)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
#: the shared corpora of real exports, read in place (never copied into the repository)
CORPORA = REPO.parent / "shared" / "corpora"
POLICY = REPO / "audits" / "policy.yaml"


def write_config(folder: Path, sources: list[dict], policy: Path = POLICY,
                 extra: str = "") -> Path:
    """``folder/audit.yaml`` for *sources* (dicts: name, kind, path, system, options)."""
    lines = ["organisation: Testi Oy", f"policy: {policy}", "as_of: '2026-12-31'", "sources:"]
    for s in sources:
        lines.append(f"- name: {s['name']}")
        lines += [f"  {k}: {v}" for k, v in s.items() if k != "name"]
    cfg = folder / "audit.yaml"
    cfg.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return cfg


def sink_for(kind: str, source: str = "x", system: str = "billing"):
    """An in-memory warehouse and a sink for one source: (connection, SourceSink)."""
    from audit_kit.warehouse import SourceSink, connect

    con = connect()
    return con, SourceSink(con, source=source, kind=kind, system=system)


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every path under *root* (links not followed) -> (mode, SHA-256 of a file's bytes or
    '' for a folder): equal snapshots mean not a byte or a mode changed."""
    import hashlib

    out = {".": (root.lstat().st_mode, "")}
    for p in sorted(root.rglob("*")):
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        out[str(p.relative_to(root))] = (p.lstat().st_mode, digest)
    return out


def start_run(config: Path, out: Path, env: dict, *extra: str):
    """``audit-kit run CONFIG --out OUT`` in a subprocess with its own process group (a
    terminal's Ctrl-C reaches the group; the report kernel dies with it)."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "audit_kit.cli.main", "run", str(config), "--out", str(out),
         *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def dead_pid() -> int:
    """The pid of a process that has ended."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# -- the planted report run (conftest's ``planted`` fixture builds it once) ----------------

HOSTILE = "<script>alert(1)</script>Aino <img src=x onerror=alert(2)>"
HOSTILE_LINE = 12  # a customer-register line with an R-customer finding in the demo


@dataclass
class Planted:
    data: Path
    run: Path  # data/reports/2026-Q4
    previous: Path  # data/reports/kesa-audit: Q3's run, found by its as_of, not its name
    reveal_html: Path  # the same run rendered with reveal=True: report.revealed.html
    en_html: Path  # report.en.html
    exit_code: int


def plant_hostile_name(data: Path) -> None:
    """Put HOSTILE into the contact-person column of one customer-register line."""
    path = data / "billing" / "asiakasrekisteri.csv"
    raw = path.read_bytes()
    nl = "\r\n" if b"\r\n" in raw else "\n"
    lines = raw.decode("cp1252").split(nl)
    col = lines[0].split(";").index("Yhteyshenkilö")
    cells = lines[HOSTILE_LINE - 1].split(";")
    cells[col] = HOSTILE
    lines[HOSTILE_LINE - 1] = ";".join(cells)
    path.write_bytes(nl.join(lines).encode("cp1252"))


def build_planted(base: Path) -> Planted:
    """The demo company with HOSTILE planted, audited as of 30.9.2026 into a folder not
    named for its quarter (no report) and then 2026Q4 with ``audit-kit run --period``, so
    the Q4 report compares with a real previous quarter; the Q4 report is rendered again
    revealed and in English, each under its own default name."""
    from audit_kit.cli.main import main
    from audit_kit.demo import generate
    from audit_kit.pipeline import run_audit
    from audit_kit.report import render_report

    data = base / "data"
    generate(data)
    plant_hostile_name(data)
    previous = data / "reports" / "kesa-audit"
    run_audit(data / "config.yaml", as_of="2026-09-30", out=previous, report=False)
    code = main(["run", str(data / "config.yaml"), "--period", "2026Q4"])
    run = data / "reports" / "2026-Q4"
    reveal = render_report(run, lang="fi", reveal=True)
    en = render_report(run, lang="en")
    return Planted(data, run, previous, reveal, en, code)
