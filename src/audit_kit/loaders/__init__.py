"""Loaders: one module per source kind, each registering itself in :data:`LOADERS`.

The contract::

    @register("vcard")
    def load(source: SourceConfig, sink: SourceSink) -> LoadResult: ...

A loader reads ``source.path`` (a file or a folder; see :func:`input_files`), writes
rows through the sink, turns every per-record fault into ``sink.reject(...)`` and raises
:class:`~audit_kit.errors.InputError` only when a whole file is unusable. It returns
how many input records it read, loaded and rejected (read = loaded + rejected) and the
format it detected. ``tests/test_loader_contract.py`` checks every registered loader.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit.config import SOURCE_KINDS, SourceConfig
from audit_kit.errors import InputError, UnsupportedKindError
from audit_kit.warehouse import SourceSink


@dataclass
class LoadResult:
    """What a loader did: counts that must reconcile, and the format it detected."""

    records_read: int = 0
    records_loaded: int = 0
    records_rejected: int = 0
    format: str = ""
    notes: list[str] = field(default_factory=list)
    #: what the owner must act on (the CLI prints these; the manifest keeps both)
    warnings: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.records_read == self.records_loaded + self.records_rejected

    def __iadd__(self, other: LoadResult) -> LoadResult:
        self.records_read += other.records_read
        self.records_loaded += other.records_loaded
        self.records_rejected += other.records_rejected
        if other.format and other.format not in self.format.split(", "):
            self.format = ", ".join(x for x in (self.format, other.format) if x)
        self.notes += other.notes
        self.warnings += other.warnings
        return self


Loader = Callable[[SourceConfig, SourceSink], LoadResult]

#: source kind -> loader. Filled by the loader modules as they are imported.
LOADERS: dict[str, Loader] = {}

#: the modules that hold loaders; importing one registers its kinds.
_MODULES = (
    "audit_kit.loaders.tabular",
    "audit_kit.loaders.finvoice",
    "audit_kit.loaders.vcard",
    "audit_kit.loaders.contacts_csv",
    "audit_kit.loaders.mbox",
    "audit_kit.loaders.maildir",
    "audit_kit.loaders.eml",
    "audit_kit.loaders.postfix",
)


def register(*kinds: str) -> Callable[[Loader], Loader]:
    """Decorator: register a loader for one or more source kinds."""

    def deco(fn: Loader) -> Loader:
        for kind in kinds:
            if kind not in SOURCE_KINDS:
                raise ValueError(f"{kind!r} is not a source kind of the contract")
            LOADERS[kind] = fn
        return fn

    return deco


def _import_all() -> None:
    for mod in _MODULES:  # every module exists: a name missing here is a bug, not "not yet"
        importlib.import_module(mod)


def get_loader(kind: str) -> Loader:
    """The loader for a kind, or a clear error for kinds not supported yet."""
    _import_all()
    if kind in LOADERS:
        return LOADERS[kind]
    supported = ", ".join(k for k in SOURCE_KINDS if k in LOADERS)
    raise UnsupportedKindError(
        f"source kind {kind!r} is not supported yet by this version; supported: {supported}"
    )


def supported_kinds() -> list[str]:
    _import_all()
    return [k for k in SOURCE_KINDS if k in LOADERS]


def input_files(path: Path, suffixes: tuple[str, ...] | None = None) -> Iterator[Path]:
    """The files a source path names: the file itself, or a folder's files in sorted order.

    Hidden files are skipped; with ``suffixes`` only matching names (case-insensitive).
    """
    if path.is_file():
        yield path
        return
    if not path.exists():
        raise InputError("input not found; check the source's path in the config", file=path)
    root = path.resolve()
    # (path split at "/", path, is a link): sorted by the split path, which is how Path
    # objects compare; os.scandir's entries answer is_file/is_symlink from the directory
    # listing. Path objects, a stat and an lstat per file cost ~1 s of 100,000 invoices.
    found: list[tuple[list[str], str, bool]] = []
    seen_dirs: set[str] = set()
    todo = [os.fspath(path)]
    while todo:
        dirpath = todo.pop()
        real = os.path.realpath(dirpath)
        if real in seen_dirs:  # a link back up the tree: do not loop
            continue
        seen_dirs.add(real)
        if os.path.islink(dirpath):
            within(Path(dirpath), root)
        try:
            entries = list(os.scandir(dirpath))
        except OSError:  # unreadable folder: skipped, as os.walk does
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                if e.is_dir():
                    todo.append(e.path)
                    continue
                if suffixes is not None and not e.name.lower().endswith(suffixes):
                    continue
                if e.is_file():
                    found.append((e.path.split(os.sep), e.path, e.is_symlink()))
            except OSError:  # vanished, or a link to nowhere
                continue
    found.sort(key=lambda t: t[0])
    for _, p, link in found:
        yield within(Path(p), root) if link else Path(p)


def within(p: Path, root: Path) -> Path:
    """*p*, refused when a symbolic link takes it outside the input folder *root*.

    An export folder is untrusted: a link in it must not make the audit read (and copy
    into the warehouse) a file the owner did not give it.
    """
    if not p.resolve().is_relative_to(root):
        raise InputError(
            "symbolic link points outside the input folder; copy the file in instead", file=p
        )
    return p
