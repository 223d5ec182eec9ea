"""Save the policy's generated suites as a Great Expectations file project (audits/gx/).

A GX user runs the project as it is::

    AUDIT_KIT_WAREHOUSE=/path/to/RUN/warehouse.duckdb python -c 'import great_expectations as gx; \
        gx.get_context(project_root_dir="audits").checkpoints.get("audit-kit").run()'

- The datasource reads the warehouse named by the environment variable
  ``AUDIT_KIT_WAREHOUSE`` (GX substitutes ``${...}`` in connection strings), read-only.
- ``great_expectations.yml`` names :mod:`audit_kit.gx_plugin` as its checkpoint store's
  module: GX imports it when it opens the project, and it installs
  :mod:`audit_kit.gx_shim` before any expectation runs (without it GX's SQL datasource
  counts nothing on DuckDB).
- The checkpoint's action builds Data Docs (``uncommitted/data_docs/``).

Every id in the project is a UUID 5 of the object's names (:data:`ID_NAMESPACE`), so
regenerating from an unchanged policy changes no byte; ``tests/test_gx_project.py``
fails when the committed project differs in any file from a fresh generation
(regenerate with ``audit-kit suites``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from audit_kit import schema
from audit_kit.policy import load_policy
from audit_kit.rules import build_rules

#: the namespace of every id in the project (fixed: changing it changes every file)
ID_NAMESPACE = uuid.UUID("5b0e7a52-2f4e-4d5c-9a55-8c1f0d0a6b11")
#: the module GX imports when it opens the project (it installs the shim)
PLUGIN_MODULE = "audit_kit.gx_plugin"
CHECKPOINT = "audit-kit"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

#: what great_expectations.yml says about the setting a GX user must make
_WAREHOUSE_DOC = """\
# audit-kit: the datasource `warehouse` reads the DuckDB warehouse of one audit run,
# named by the environment variable AUDIT_KIT_WAREHOUSE (read-only), e.g.
#   AUDIT_KIT_WAREHOUSE=audits/reports/2026-Q4/warehouse.duckdb
# then, in Python:
#   import great_expectations as gx
#   gx.get_context(project_root_dir="audits").checkpoints.get("audit-kit").run()
# The checkpoint builds Data Docs in uncommitted/data_docs/. This project is generated
# from audits/policy.yaml by `audit-kit suites`; edit the policy, not these files.
"""

#: exact edits of GX 1.x's generated great_expectations.yml: (what GX wrote, what we write)
_YML_EDITS = (
    (
        "  checkpoint_store:\n    class_name: CheckpointStore\n",
        "  checkpoint_store:\n    class_name: CheckpointStore\n"
        "    # audit-kit: GX imports this module (from the audit-kit package) when it opens\n"
        "    # the project; it makes GX's SQL datasource work on DuckDB (audit_kit.gx_shim)\n"
        f"    module_name: {PLUGIN_MODULE}\n",
    ),
    ("fluent_datasources:\n", _WAREHOUSE_DOC + "fluent_datasources:\n"),
    # GX sends usage statistics unless told not to; an audit calls no one
    ("analytics_enabled:\n", "analytics_enabled: false\n"),
)


#: the folders of the project whose files ``audit-kit suites`` generates (with the yml);
#: a file there it did not write this time is stale and goes, nothing else is removed
_GENERATED = ("expectations", "validation_definitions", "checkpoints")


def is_project(folder: Path) -> bool:
    """Whether *folder* is a GX project audit-kit generated (its yml names the plugin)."""
    yml = folder / "great_expectations.yml"
    try:
        return yml.is_file() and f"module_name: {PLUGIN_MODULE}\n" in yml.read_text(
            encoding="utf-8", errors="replace")
    except OSError:
        return False


def write_project(policy_path: Path, out: Path) -> Path:
    """Write ``out/gx/``: a GX file project with the suites, validation definitions, a
    checkpoint over all of them that builds Data Docs, naming the plugin that makes it run.

    ``out/gx`` must be new, empty or a project this function wrote
    (:func:`audit_kit.outdir.check_target`); a stale generated file (a rule the policy no
    longer has) is removed, any other file (``uncommitted/``, a user's notes) is kept."""
    from audit_kit import outdir

    dest = outdir.check_target(out / "gx", flag="--out", is_ours=is_project,
                               ours="a GX project audit-kit generated",
                               inputs=[policy_path])
    rules = build_rules(load_policy(policy_path))
    with tempfile.TemporaryDirectory() as tmp:
        project = _generate(rules, Path(tmp))
        written = {p.relative_to(project) for p in project.rglob("*") if p.is_file()}
        outdir.make_private_dirs(dest)
        for sub in _GENERATED:
            for old in sorted((dest / sub).rglob("*"), reverse=True):
                rel = old.relative_to(dest)
                if old.is_file() and not old.is_symlink() and old.suffix == ".json" \
                        and rel not in written:
                    old.unlink()
                elif old.is_dir() and not old.is_symlink() and not any(old.iterdir()):
                    old.rmdir()
        for rel in sorted(written):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(project / rel, dest / rel)
    return dest


def _generate(rules, tmp: Path) -> Path:
    """Generate the project in *tmp*/gx with GX, then make it stable and runnable."""
    import great_expectations as gx

    from audit_kit.validate import _close, build_context
    from audit_kit.warehouse import connect

    # an empty warehouse with every table, so GX can test the datasource and assets
    empty = tmp / "empty.duckdb"
    con = connect(empty)
    schema.create_all(con)
    con.close()
    old = os.environ.get("AUDIT_KIT_WAREHOUSE")
    os.environ["AUDIT_KIT_WAREHOUSE"] = str(empty)
    try:
        ctx, vds = build_context("${AUDIT_KIT_WAREHOUSE}", rules, mode="file", project_root=tmp)
        ctx.checkpoints.add_or_update(
            gx.Checkpoint(
                name=CHECKPOINT,
                validation_definitions=[vd for _, vd in sorted(vds.items())],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
            )
        )
        _close(ctx)
    finally:
        if old is None:
            os.environ.pop("AUDIT_KIT_WAREHOUSE", None)
        else:
            os.environ["AUDIT_KIT_WAREHOUSE"] = old
    project = tmp / "gx"
    shutil.rmtree(project / "uncommitted", ignore_errors=True)
    for lock in project.rglob("*.lock"):
        lock.unlink()
    yml = project / "great_expectations.yml"
    text = yml.read_text(encoding="utf-8")
    for before, after in _YML_EDITS:
        if text.count(before) != 1:
            raise RuntimeError(f"unexpected great_expectations.yml from GX: no {before!r}")
        text = text.replace(before, after)
    yml.write_text(text, encoding="utf-8")
    _stable_ids(project)
    return project


def stable_id(*names: str) -> str:
    """The id of the object named by *names* (kind first), the same in every generation."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(names)))


def _stable_ids(project: Path) -> None:
    """Replace every random id GX wrote with :func:`stable_id` of the object's names."""
    import json

    import yaml

    ids: dict[str, str] = {}
    config = yaml.safe_load((project / "great_expectations.yml").read_text(encoding="utf-8"))
    ids[config["data_context_id"]] = stable_id("data_context")
    for ds_name, ds in config["fluent_datasources"].items():
        ids[ds["id"]] = stable_id("datasource", ds_name)
        for a_name, asset in ds["assets"].items():
            ids[asset["id"]] = stable_id("asset", ds_name, a_name)
            for bd_name, bd in asset["batch_definitions"].items():
                ids[bd["id"]] = stable_id("batch_definition", ds_name, a_name, bd_name)
    for path in sorted((project / "expectations").rglob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        ids[suite["id"]] = stable_id("suite", suite["name"])
        for e in suite["expectations"]:
            meta = e["meta"]
            ids[e["id"]] = stable_id(
                "expectation", suite["name"], meta["rule_id"], meta["severity"]
            )
    for kind in ("validation_definitions", "checkpoints"):
        for path in sorted((project / kind).glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            ids[doc["id"]] = stable_id(kind, doc["name"])

    def new(m: re.Match) -> str:
        if m.group() not in ids:
            raise RuntimeError(f"GX wrote an id audit-kit cannot name: {m.group()}")
        return ids[m.group()]

    for path in sorted(p for p in project.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if _UUID.search(text):
            path.write_text(_UUID.sub(new, text), encoding="utf-8")
