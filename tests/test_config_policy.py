"""Config and policy: valid files load; a wrong key or value is one line naming it."""

from __future__ import annotations

import pytest

from audit_kit.config import load_config
from audit_kit.errors import ConfigError, PolicyError
from audit_kit.policy import load_policy
from tests.conftest import POLICY


def _cfg(tmp_path, body: str):
    p = tmp_path / "config.yaml"
    p.write_text(body, encoding="utf-8")
    return p


GOOD = f"""organisation: Oulun Konttoripiste Oy
policy: {POLICY}
as_of: 2026-12-31
sources:
  - {{name: billing-customers, kind: customers_csv, path: data/a.csv, system: billing}}
"""


def test_config_paths_resolve_against_its_folder(tmp_path):
    cfg = load_config(_cfg(tmp_path, GOOD))
    assert cfg.sources[0].path == tmp_path / "data" / "a.csv"
    assert str(cfg.as_of) == "2026-12-31"


@pytest.mark.parametrize(
    "edit, message, place",
    [
        (
            ("kind: customers_csv", "kind: vcf"),
            "unknown source kind 'vcf'; known: customers_csv,",
            "key sources[0].kind",
        ),
        (("as_of: 2026-12-31", "as_of: 31.12.2026"), "", "key as_of"),
        (("organisation:", "organization:"), "unknown key", "key organization"),
    ],
)
def test_config_errors_name_the_key(tmp_path, edit, message, place):
    with pytest.raises(ConfigError) as e:
        load_config(_cfg(tmp_path, GOOD.replace(*edit)))
    assert message in e.value.message
    assert e.value.place == place
    assert "\n" not in str(e.value)


def test_policy_loads_and_encodes_the_statement():
    p = load_policy(POLICY)
    assert p.organisation.business_id == "0729081-3"
    assert p.systems["android_backup"].mechanism == "privacy_shield"
    assert {r.rule for r in p.retention} == {
        "R-customer",
        "R-service",
        "R-marketing",
        "R-email",
        "R-maillog",
    }
    assert all(r.months == 6 for r in p.retention)
    assert len(p.sha256) == 64


@pytest.mark.parametrize(
    "edit, place",
    [
        (("  own_domains:", "  own_domain:"), "key organisation.own_domain"),
        (
            (
                'country: FI, personal_data: true, section: "11"',
                'country: Finland, personal_data: true, section: "11"',
            ),
            "key systems.billing.country",
        ),
        (("business_id: 0729081-3", "business_id: 0729081-4"), "key organisation.business_id"),
        (
            ("mechanism: privacy_shield,", "mechanism: shield,"),
            "key systems.android_backup.mechanism",
        ),
    ],
)
def test_policy_errors_name_the_key(tmp_path, edit, place):
    text = POLICY.read_text(encoding="utf-8")
    assert edit[0] in text
    bad = tmp_path / "policy.yaml"
    bad.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(PolicyError) as e:
        load_policy(bad)
    assert e.value.place == place
