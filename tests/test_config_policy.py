"""Config and policy: valid files load; a wrong key or value is one line naming it."""

from __future__ import annotations

import pytest

from audit_kit.config import load_config
from audit_kit.errors import ConfigError, PolicyError
from audit_kit.policy import load_policy
from tests._support import POLICY


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


@pytest.mark.parametrize(
    "entry, message",
    [
        ("kind: postfix_log, year: -5", "source 'logs': year -5 is not valid; give a year between "
                                        "1970 and 2100"),
        ("kind: postfix_log, year: 1e23", "source 'logs': year '1e23' is not valid"),  # YAML: text
        ("kind: postfix_log, year: 1.0e+23", "source 'logs': year 1e+23 is not valid"),
        ("kind: postfix_log, year: '2026'", "source 'logs': year '2026' is not valid"),
        ("kind: postfix_log, year: 2101", "year 2101 is not valid"),
        ("kind: customers_csv, delimiter: 'x'", "source 'logs': delimiter 'x' is not valid; give "
                                                "one of ; , | or a tab"),
        ("kind: customers_csv, delimiter: ';;'", "delimiter ';;' is not valid"),
        ("kind: customers_csv, encoding: utf-9", "source 'logs': encoding: 'utf-9' is not a text "
                                                 "encoding Python knows"),
        ("kind: customers_csv, encoding: rot13", "'rot13' is not a text encoding Python knows"),
        ("kind: customers_csv, sheet: 2024", "source 'logs': sheet 2024 is not valid"),
        ("kind: customers_csv, columns: {Puh.: puhelin}",
         "source 'logs': columns: 'Puh.' -> 'puhelin' is not a column target of customers_csv; "
         "closest: 'phone'"),
        ("kind: customers_csv, columns: {Laite: device_retired}",
         "'device_retired' is not a column target of customers_csv"),  # another kind's date
        ("kind: vcard, encoding: utf-8", "source 'logs': kind vcard takes no option 'encoding'; "
                                         "it takes none"),
        ("kind: postfix_log, sheet: x", "source 'logs': kind postfix_log takes no option 'sheet'; "
                                        "its options: year"),
        ("kind: google_contacts_csv, columns: {a: ended_on}",
         "'ended_on' is not a column target of google_contacts_csv"),
        ("kind: vcard, columns: {a: email}", "kind vcard takes no option 'columns'"),
        ("kind: vcard, sytem: billing", "kind vcard takes no option 'sytem'"),  # a misspelt key
    ],
)
def test_an_option_is_checked_against_its_kind(tmp_path, entry, message):
    """Each kind declares the options it takes and their values (issue 14 item 10: a
    year of -5 or 1e23 and a bad delimiter were accepted)."""
    body = GOOD.replace("{name: billing-customers, kind: customers_csv,",
                        "{name: logs, " + entry + ",")
    with pytest.raises(ConfigError) as e:
        load_config(_cfg(tmp_path, body))
    assert message in e.value.message
    assert e.value.place == "key sources[0]"
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("entry, options", [
    ("kind: postfix_log, year: 2026", {"year": 2026}),
    ("kind: customers_csv, delimiter: tab, encoding: cp1252, columns: {Puh.: phone}",
     {"delimiter": "\t", "encoding": "cp1252", "columns": {"Puh.": "phone"}, "sheet": None}),
    ("kind: vcard", {}),
])
def test_a_kinds_options_are_attributes_of_its_source(tmp_path, entry, options):
    body = GOOD.replace("{name: billing-customers, kind: customers_csv,",
                        "{name: logs, " + entry + ",")
    source = load_config(_cfg(tmp_path, body)).sources[0]
    assert source.options == options
    for name, value in options.items():
        assert getattr(source, name) == value


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
