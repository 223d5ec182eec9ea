"""The run as named stages (audit_kit.pipeline): called one by one, as from a notebook,
they give exactly what ``run_audit`` wrote."""

from __future__ import annotations

import pytest

from audit_kit import pipeline
from audit_kit.config import load_config
from audit_kit.exitpolicy import default_path, load_accepted
from audit_kit.policy import load_policy

pytestmark = pytest.mark.slow


def test_the_stages_one_by_one_give_the_runs_outputs(demo_run, tmp_path):
    ctx, result = demo_run
    cfg = load_config(ctx.root / "config.yaml")
    policy = load_policy(cfg.policy)
    base = cfg.config_path.parent
    wh = tmp_path / "warehouse.duckdb"

    con = pipeline.open_warehouse(result.as_of, wh)
    loaded = pipeline.load(cfg, policy, con, base=base)
    assert {s: r.records_read for s, r in loaded.results.items()} == {
        s["name"]: s["records_read"] for s in result.manifest["sources"]}
    found = pipeline.resolve_people(con, policy, base=base)
    assert (found.persons, found.tombstones) == (result.manifest["people"],
                                                 result.manifest["tombstones"])
    ev = pipeline.evaluate(con, policy)
    con.close()
    assert sum(map(len, ev.rows.values())) >= len(result.findings)
    findings = pipeline.validate(wh, ev, tmp_path / "validation")

    # the exit policy: the accepted file beside the policy, if any
    accepted = load_accepted(None, default=default_path(cfg.policy))
    verdict = pipeline.judge(findings, accepted, as_of=result.as_of)
    assert verdict.findings == result.findings
    manifest = pipeline.write(tmp_path, cfg=cfg, policy=policy, as_of=result.as_of,
                              loaded=loaded, found=found, findings=verdict.findings,
                              verdict=verdict, rules=ev.rules)
    assert manifest == result.manifest
    # the report stage lists the report it writes in the manifest, as the run did
    report = pipeline.render(tmp_path, ev.rules, lang=policy.language, data_dir=base.resolve(),
                             policy=policy)
    assert report == tmp_path / result.report.name
    for name in ("findings.csv", "summary.json", "manifest.json", "report_params.json"):
        assert (tmp_path / name).read_bytes() == (result.out / name).read_bytes(), name
