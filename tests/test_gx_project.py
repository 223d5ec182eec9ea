"""The committed GX project (audits/gx/) matches the policy; regenerate with `audit-kit suites`."""

from __future__ import annotations

import json

from audit_kit.gx_project import suites_json
from tests.conftest import POLICY, REPO


def test_committed_suites_match_policy():
    committed = json.loads((REPO / "audits" / "gx" / "suites.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(suites_json(POLICY))), (
        "audits/gx is stale: run `audit-kit suites` and commit")


def test_gx_suite_files_hold_the_same_queries():
    suites = suites_json(POLICY)
    for name, suite in suites.items():
        category, table = name.split(".")[1:]
        doc = json.loads((REPO / "audits" / "gx" / "expectations" / "audit-kit" / category /
                          f"{table}.json").read_text(encoding="utf-8"))
        got = [e["kwargs"]["unexpected_rows_query"] for e in doc["expectations"]]
        assert got == [e["kwargs"]["unexpected_rows_query"] for e in suite["expectations"]]
