"""A source's ``columns:``: documented targets, checked entries, ``ignore``; and the two
per-column findings: unclassified columns (M-unclassified) and unreadable dates (I-date)."""

from __future__ import annotations

import re

import pytest

from audit_kit import pipeline, schema, warehouse
from audit_kit.cli.main import main
from audit_kit.config import SourceConfig, load_config
from audit_kit.errors import ConfigError
from audit_kit.loaders import get_loader, source_kinds
from audit_kit.loaders.columns import describe, targets
from audit_kit.policy import default_policy_path, load_policy
from tests._support import POLICY, REPO

CONTRACTS = (
    "Sopimusnumero;Pääkäyttäjä;Sähköposti;Puhelin;Postinro;Sopimus alkoi;Laite poistettu käytöstä\n"
    "S-1;Aino Mäki;aino@maki.fi;040 123 4567;90100;1.2.2020;\n"
    "S-2;Eero Oja;eero@oja.fi;08 123 4567;90500;15.03.25;-\n"
    "S-3;Liisa Laine;liisa@laine.fi;;90100;2019/01/01;2025/03/15\n"
    "S-4;Ville Vuori;ville@vuori.fi;;;;31.12.2025\n"
)


def _load(tmp_path, columns=None, kind="service_contracts_csv", text=CONTRACTS, name="s.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="huolto", kind=kind, system="billing")
    res = get_loader(kind)(
        SourceConfig(name="huolto", kind=kind, path=path, system="billing", columns=columns),
        sink,
    )
    sink.flush()
    return con, res


def _fields(con, where: str) -> list[tuple]:
    return con.execute(
        f"SELECT record_ref, field, label, value FROM fields WHERE {where} ORDER BY ALL"
    ).fetchall()


# -- the targets are one documented list ----------------------------------------------------


def test_every_tabular_kind_and_the_contact_csv_kind_take_columns():
    kinds = {k for k in list(source_kinds()) if targets(k)}
    assert kinds == {
        "customers_csv", "service_contracts_csv", "marketing_list", "marketing_optouts",
        "erasure_requests", "retention_holds", "google_contacts_csv",
    }
    assert all("ignore" in targets(k) for k in kinds)


def test_readme_and_kinds_columns_list_every_target(capsys):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Column targets", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    every = {t for k in list(source_kinds()) for t in targets(k)}
    assert every - documented == set(), "add these targets to README 'Column targets'"
    assert documented - every - set(list(source_kinds())) == set(), "README names unknown targets"
    assert main(["kinds", "--columns"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == describe()
    assert every <= set(re.findall(r"^  ([a-z_]+) ", out, re.M))


# -- checked entries --------------------------------------------------------------------


def _config(tmp_path, columns: str):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"organisation: X\npolicy: {POLICY}\nsources:\n"
        "  - {name: huolto, kind: service_contracts_csv, path: s.csv, system: billing,\n"
        f"     columns: {columns}}}\n", encoding="utf-8")
    return load_config(cfg)


def test_unknown_target_is_a_config_error_with_the_closest_names(tmp_path):
    with pytest.raises(ConfigError) as e:
        _config(tmp_path, "{Puhelin: puhelin}")
    msg = e.value.one_line()
    assert "source 'huolto'" in msg and "'Puhelin' -> 'puhelin'" in msg
    assert "not a column target of service_contracts_csv" in msg
    assert "'phone'" in msg.split("closest:", 1)[1]
    assert "audit-kit kinds --columns" in msg


def test_another_kinds_date_is_not_a_target(tmp_path):
    with pytest.raises(ConfigError) as e:
        _config(tmp_path, "{Sopimus alkoi: ended_on}")
    assert "'ended_on' is not a column target of service_contracts_csv" in e.value.one_line()
    assert _config(tmp_path, "{Sopimus alkoi: ignore, Laite: device_retired}")


def test_missing_header_is_a_config_error_naming_file_and_closest_headers(tmp_path):
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, {"Postinumero": "postcode"})
    assert e.value.file.endswith("s.csv") and e.value.place == "line 1"
    msg = e.value.one_line()
    assert "no column 'Postinumero' in this file; closest: 'Postinro'" in msg


def test_a_field_class_target_and_ignore(tmp_path):
    con, res = _load(tmp_path, {"postinro": "company_address", "Sopimus alkoi": "ignore"})
    assert (res.records_read, res.records_loaded, res.records_rejected) == (4, 4, 0)
    assert _fields(con, "label IN ('Postinro', 'Sopimus alkoi')") == [
        ("line 2", "company_address", "Postinro", "90100"),
        ("line 3", "company_address", "Postinro", "90500"),
        ("line 4", "company_address", "Postinro", "90100"),
    ]
    # ignored: kept in the raw table only
    assert con.execute('SELECT count("Sopimus alkoi") FROM src_huolto').fetchone() == (4,)
    assert con.execute(
        "SELECT count(*) FROM fields WHERE field = 'unclassified'"
    ).fetchone() == (0,)


def test_config_error_in_columns_is_exit_2_one_line(tmp_path, capsys):
    (tmp_path / "s.csv").write_text(CONTRACTS, encoding="utf-8")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"organisation: X\npolicy: {POLICY}\nas_of: 2026-12-31\nsources:\n"
        "  - {name: huolto, kind: service_contracts_csv, path: s.csv, system: billing,\n"
        "     columns: {Puhelin: puhelin}}\n"
    )
    assert main(["run", str(cfg), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "source 'huolto': columns: 'Puhelin' -> 'puhelin'" in err
    assert not (tmp_path / "out").exists()


def test_contact_csv_columns_classify_and_name_the_record(tmp_path):
    text = "Nimi;Sposti;Kännykkä;Asiakkaana vuodesta\nAino Mäki;AINO@MAKI.FI;040 123 4567;2019\n"
    con, res = _load(
        tmp_path,
        {"Nimi": "person_name", "Sposti": "email", "Kännykkä": "mobile_phone",
         "Asiakkaana vuodesta": "ignore"},
        kind="google_contacts_csv", text=text,
    )
    assert (res.records_read, res.records_loaded, res.format) == (1, 1, "contacts csv")
    assert con.execute("SELECT person_name, email, phone FROM records").fetchall() == [
        ("Aino Mäki", "aino@maki.fi", "+358401234567")
    ]
    assert _fields(con, "true") == [
        ("line 2", "email", "Sposti", "aino@maki.fi"),
        ("line 2", "mobile_phone", "Kännykkä", "040 123 4567"),
        ("line 2", "person_name", "Nimi", "Aino Mäki"),
    ]


def test_contact_csv_columns_override_a_known_header(tmp_path):
    text = "First Name,Last Name,Custom 1,Gender\nAino,Mäki,asiakas,female\n"
    con, _ = _load(tmp_path, {"Custom 1": "non_personal", "gender": "ignore"},
                   kind="google_contacts_csv", text=text)
    assert _fields(con, "field NOT IN ('person_name')") == [
        ("line 2", "non_personal", "Custom 1", "asiakas")
    ]


# -- one finding per source and column ---------------------------------------------------


def _evaluate(con):
    policy = load_policy(default_policy_path())
    schema.AUDIT_PARAMS.fill(con, "SELECT DATE '2026-12-31' AS as_of")
    pipeline.resolve_people(con, policy)
    return pipeline.evaluate(con, policy)


def _findings(con, rule_id: str, ev=None):
    ev = ev or _evaluate(con)
    found = pipeline.to_findings(ev, {r: len(rows) for r, rows in ev.rows.items()})
    return [f for f in found if f.rule_id == rule_id]


def test_unclassified_column_is_one_warning_with_its_row_count(tmp_path):
    con, _ = _load(tmp_path)
    ev = _evaluate(con)
    found = _findings(con, "M-unclassified", ev)
    assert sorted((f.severity, f.source, f.record_ref, f.field, f.detail) for f in found) == [
        ("warning", "huolto", "", "unclassified",
         "unclassified column 'Postinro', values in 3 rows: classify it in the config "
         "(columns:)"),
        ("warning", "huolto", "", "unclassified",
         "unclassified column 'Sopimus alkoi', values in 3 rows: classify it in the config "
         "(columns:)"),
    ]
    assert _findings(con, "M-field", ev) == []  # no per-row finding any more


def test_unreadable_dates_are_one_finding_per_column_with_two_shapes(tmp_path):
    con, res = _load(tmp_path, {"Sopimus alkoi": "ignore"})
    assert (res.records_read, res.records_loaded, res.records_rejected) == (4, 4, 0)
    found = _findings(con, "I-date")
    assert [(f.severity, f.source, f.field, f.detail) for f in found] == [
        ("warning", "huolto", "unread_date",
         "2 values in date column 'Laite poistettu käytöstä' could not be read as a date "
         "(line 3: '-', line 4: '9999/99/99'): the records are kept without it; write dates "
         "as d.m.yyyy or yyyy-mm-dd"),
    ]
    # the people are still there for every rule that does not need the date
    assert con.execute(
        "SELECT record_ref, person_name, ended_on FROM records ORDER BY record_ref"
    ).fetchall()[1:3] == [("line 3", "Eero Oja", None), ("line 4", "Liisa Laine", None)]


def test_every_tabular_target_means_something_to_the_loader():
    from audit_kit.loaders import tabular

    for kind in tabular.SPECS:
        for target in targets(kind):
            sem = tabular._ALIASES.get(target, target)
            assert (sem in tabular._FIELD_OF or sem in tabular.SPECS[kind].dates
                    or sem == "ignore"), (kind, target)
    # and every synonym's meaning is a target of some kind
    every = {t for k in tabular.SPECS for t in targets(k)}
    assert set(tabular.SYNONYMS) <= every
