"""Loaders, and the registry of source kinds.

A loader module declares its kinds once, at its top, as :class:`SourceKind` values in a
module-level ``KINDS`` tuple: the name, the loader function, the options a source entry
may give, the roles its records carry, the report's place labels, the demo writer, the
test fixtures and fuzz seeds. Config validation, ``audit-kit kinds``, the demo, the
report, the fuzz and contract tests and the README's formats table all read the
registry, :func:`source_kinds`.

The registry is found, never filled by import side effects: every module of this
package, then every entry point in the group ``audit_kit.source_kinds`` (a module with
``KINDS``, or a ``SourceKind``; how another package adds a kind). Its order is each
kind's ``order`` then name, whatever was imported first.

The loader contract::

    def load(source: SourceConfig, sink: SourceSink) -> LoadResult: ...

A loader reads ``source.path`` (a file or a folder; see :func:`input_files`), opens each
file with :func:`audit_kit.limits.open_input` and keeps to ``sink.limits``, writes
rows through the sink, turns every per-record fault into ``sink.reject(...)``, a file
refused as a whole (:class:`~audit_kit.errors.FileRejected`) into a file-level reject
(:func:`per_file`), and raises :class:`~audit_kit.errors.InputError` only when a whole
file is unusable. It returns
how many input records it read, loaded and rejected (read = loaded + rejected) and the
format it detected. ``tests/test_loader_contract.py`` checks every registered loader.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import importlib
import importlib.metadata
import os
import pkgutil
import re
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, TypeAdapter, ValidationError

from audit_kit.config import SourceConfig
from audit_kit.errors import ConfigError, FileRejected, InputError
from audit_kit.warehouse import FileRef, SourceSink


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
    #: tabular kinds: each header (first file's order) -> what it was read as (a column
    #: target, ``ignore`` or ``unclassified``), for ``audit-kit check``
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.records_read == self.records_loaded + self.records_rejected

    def file_rejected(self, sink: SourceSink, path: Path | FileRef, reason: str) -> None:
        """A whole file not read: one record read and rejected, a reject row (see
        :meth:`SourceSink.reject_file`) and a note naming the file."""
        name = sink.reject_file(path, reason)
        self.records_read += 1
        self.records_rejected += 1
        self.notes.append(f"{name}: file not read: {reason}")

    def rejecter(self, sink: SourceSink) -> Callable[[Path, str], None]:
        """``rejected=`` for :func:`input_files`: folders that cannot be listed."""
        return lambda path, reason: self.file_rejected(sink, path, reason)

    def __iadd__(self, other: LoadResult) -> LoadResult:
        self.records_read += other.records_read
        self.records_loaded += other.records_loaded
        self.records_rejected += other.records_rejected
        if other.format and other.format not in self.format.split(", "):
            self.format = ", ".join(x for x in (self.format, other.format) if x)
        self.notes += other.notes
        self.warnings += other.warnings
        for k, v in other.columns.items():
            self.columns.setdefault(k, v)
        return self


Loader = Callable[[SourceConfig, SourceSink], LoadResult]

#: fi/en text: {"fi": ..., "en": ...}
Text = Mapping[str, str]

#: the entry-point group through which another package adds source kinds
ENTRY_POINTS = "audit_kit.source_kinds"

#: the keys every source entry has; options are the keys beside them
BASE_KEYS = ("name", "kind", "path", "system")


@dataclass(frozen=True)
class Option:
    """A setting a source entry may give for its kind: a key beside name/kind/path/system.

    *type* is what the value is validated as (pydantic, strict: YAML gives real ints and
    strings); *expects* says the valid values in words, for the config error and
    ``audit-kit kinds``.
    """

    name: str
    type: Any
    expects: str
    doc: str = ""

    @functools.cached_property
    def _adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.type)

    def parse(self, value: Any) -> Any:
        """The validated value; ValueError naming the option and the valid values."""
        try:
            return self._adapter.validate_python(value, strict=True)
        except ValidationError as exc:
            first = exc.errors()[0]
            if first["type"] == "value_error":  # a validator's own message
                raise ValueError(f"{self.name}: {first['ctx']['error']}") from None
            raise ValueError(f"{self.name} {value!r} is not valid; give {self.expects}") from None


def _text_codec(name: str) -> str:
    try:
        ok = codecs.lookup(name)._is_text_encoding  # rot13, base64, zlib are not text
    except LookupError:
        ok = False
    if not ok:
        raise ValueError(f"{name!r} is not a text encoding Python knows; e.g. utf-8, utf-8-sig, "
                         "cp1252, utf-16")
    return name


#: the text encoding of a CSV export (default: BOM, else UTF-8, else cp1252)
ENCODING = Option(
    "encoding",
    Annotated[str, AfterValidator(_text_codec)],
    "a text encoding Python knows, e.g. utf-8, utf-8-sig, cp1252, utf-16",
    "the files' text encoding, when detection guesses wrong",
)

#: the field delimiter of a CSV export (default: the commonest of ; , tab in the header)
DELIMITER = Option(
    "delimiter",
    Annotated[Literal[";", ",", "\t", "|"],
              BeforeValidator(lambda v: "\t" if v in ("tab", "\\t") else v)],
    "one of ; , | or a tab (written \"\\t\" or tab)",
    "the field delimiter, when detection guesses wrong",
)


@dataclass(frozen=True)
class Role:
    """What a record is to the rules: the role picks the retention clock (vocab.ROLES).

    *kept_for*: for a role without a retention clock in the policy, why its records are
    kept (fi/en), as the access-request answer says it.
    """

    name: str
    doc: str
    kept_for: Text | None = None


@dataclass(frozen=True)
class FuzzSeed:
    """A real-shaped file the fuzz tests mutate (*seed*: under ``tests/data``, or absolute
    for a plug-in's own file), written as *file* inside a temporary folder; the source
    path is *source* (default: the file itself) under that folder."""

    file: str
    seed: str
    source: str | None = None


@dataclass(frozen=True)
class SourceKind:
    """Everything about one source kind, declared once in its loader module.

    *loader*: the loader function, or its name in the declaring module (the declaration
    sits at the module's top, above the function). *reads*/*notes*: the README's formats
    table. *place*: where the kind keeps people, as the end of the report's "remove them
    ..." (fi: elative/ablative). *demo*: ``"module:function"`` writing the kind's demo
    exports (several kinds may share one writer). *fixtures*: globs under ``tests/data``
    (or absolute: a plug-in's own files); each match is one source the contract test
    loads. *fuzz*: the files the fuzz tests mutate. *order*: where the kind sits in
    listings and in the demo (the demo's writers share one seeded random generator, so
    this order fixes the demo's bytes).
    """

    name: str
    reads: str
    place: Text
    roles: tuple[Role, ...]
    loader: Loader | str = "load"
    options: tuple[Option, ...] = ()
    notes: str = ""
    demo: str | None = None
    fixtures: tuple[str, ...] = ()
    fuzz: tuple[FuzzSeed, ...] = ()
    order: int = 1000

    @property
    def load(self) -> Loader:
        if isinstance(self.loader, str):
            raise TypeError(f"source kind {self.name!r} is not bound to its module yet")
        return self.loader

    def parse_options(self, source: str, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every option of the kind, validated (None when not given); ValueError naming
        the source and the option for an option the kind does not take or a bad value."""
        takes = {o.name: o for o in self.options}
        for key in given:
            if key not in takes:
                known = f"its options: {', '.join(takes)}" if takes else "it takes none"
                raise ValueError(f"source {source!r}: kind {self.name} takes no option {key!r}; "
                                 + known)
        out: dict[str, Any] = {}
        for name, opt in takes.items():
            value = given.get(name)
            try:
                out[name] = None if value is None else opt.parse(value)
            except ValueError as exc:
                raise ValueError(f"source {source!r}: {exc}") from None
        return out


#: source kind -> loader, filled when the registry is first read (:func:`source_kinds`,
#: :func:`get_loader`); a test may patch an entry to stand in for a loader
LOADERS: dict[str, Loader] = {}

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _kinds_of(obj: Any, origin: str) -> list[SourceKind]:
    """The kinds a module (its ``KINDS``), a SourceKind or a sequence of them declares,
    loaders given by name bound to the declaring module."""
    module = obj if isinstance(obj, types.ModuleType) else None
    found = getattr(obj, "KINDS", ()) if module else obj
    found = [found] if isinstance(found, SourceKind) else list(found)
    out = []
    for k in found:
        if not isinstance(k, SourceKind):
            raise ConfigError(f"{origin} declares {k!r} as a source kind; expected a SourceKind")
        if isinstance(k.loader, str):
            fn = getattr(module, k.loader, None) if module else None
            if not callable(fn):
                raise ConfigError(f"source kind {k.name!r} of {origin} names loader "
                                  f"{k.loader!r}, which the module does not define")
            k = dataclasses.replace(k, loader=fn)
        out.append(k)
    return out


def _check(kinds: list[tuple[SourceKind, str]]) -> None:
    by_name: dict[str, str] = {}
    roles: dict[str, Role] = {}
    for k, origin in kinds:
        if not _NAME.match(k.name):
            raise ConfigError(f"source kind {k.name!r} of {origin}: a kind's name is lower-case "
                              "letters, digits and _")
        if k.name in by_name:
            raise ConfigError(f"source kind {k.name!r} is declared twice: by {by_name[k.name]} "
                              f"and {origin}")
        by_name[k.name] = origin
        if set(k.place) != {"fi", "en"}:
            raise ConfigError(f"source kind {k.name!r} of {origin}: place needs fi and en")
        for o in k.options:
            if o.name in BASE_KEYS:
                raise ConfigError(f"source kind {k.name!r} of {origin}: option {o.name!r} "
                                  "is a key every source has")
        for r in k.roles:
            if roles.setdefault(r.name, r) != r:
                raise ConfigError(f"role {r.name!r} of source kind {k.name!r} ({origin}) "
                                  "differs from the role of that name another kind declares")


@functools.cache
def _registry() -> Mapping[str, SourceKind]:
    found: list[tuple[SourceKind, str]] = []
    for info in pkgutil.iter_modules(__path__, __name__ + "."):
        if info.name.rsplit(".", 1)[1].startswith("_"):  # private helpers declare no kinds
            continue
        mod = importlib.import_module(info.name)
        found += [(k, info.name) for k in _kinds_of(mod, info.name)]
    for ep in importlib.metadata.entry_points(group=ENTRY_POINTS):
        origin = f"entry point {ep.name!r} ({ep.value})"
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plug-in: one line, naming it
            raise ConfigError(f"{origin} does not load ({type(exc).__name__}); reinstall or "
                              "remove the package that provides it") from None
        found += [(k, origin) for k in _kinds_of(obj, origin)]
    _check(found)
    kinds = {k.name: k for k, _ in sorted(found, key=lambda t: (t[0].order, t[0].name))}
    LOADERS.update({name: k.load for name, k in kinds.items()})
    return types.MappingProxyType(kinds)


def source_kinds() -> Mapping[str, SourceKind]:
    """Every registered source kind by name, in listing order (found once a process)."""
    return _registry()


def get_kind(kind: str) -> SourceKind:
    """The registered kind of that name; ConfigError listing the known kinds."""
    kinds = source_kinds()
    if kind not in kinds:
        raise ConfigError(f"unknown source kind {kind!r}; known: {', '.join(kinds)}")
    return kinds[kind]


def get_loader(kind: str) -> Loader:
    """The loader for a kind (:data:`LOADERS`, so a test may stand in for one)."""
    get_kind(kind)
    return LOADERS[kind]


def roles() -> dict[str, Role]:
    """Every role a registered kind writes, in the kinds' order."""
    out: dict[str, Role] = {}
    for k in source_kinds().values():
        for r in k.roles:
            out.setdefault(r.name, r)
    return out


def formats_table() -> str:
    """The README's formats table (markdown), one row per registered kind."""

    def row(*cells: str) -> str:
        return "|" + "|".join(f" {c.replace('|', chr(92) + '|')} " if c else " "
                              for c in cells) + "|"

    lines = ["| kind | reads | options | notes |", "|---|---|---|---|"]
    for k in source_kinds().values():
        options = " ".join(f"`{o.name}`" for o in k.options)
        lines.append(row(f"`{k.name}`", k.reads, options, k.notes))
    return "\n".join(lines) + "\n"


def input_files(path: Path, suffixes: tuple[str, ...] | None = None, *,
                rejected: Callable[[Path, str], None] | None = None) -> Iterator[Path]:
    """The files a source path names: the path itself, or a folder's files in sorted order.

    Hidden files are skipped; with ``suffixes`` only matching names (case-insensitive).
    Entries that are not regular files (a FIFO, a socket, a device, a link to nowhere)
    are listed all the same: opening them (:func:`audit_kit.limits.open_input`) refuses
    them with the reason, so nothing is skipped in silence. A folder that cannot be
    listed goes to ``rejected(folder, reason)`` (without it: :class:`FileRejected`).
    """
    if not path.is_dir():
        if not path.exists() and not path.is_symlink():
            raise InputError("input not found; check the source's path in the config",
                             file=path)
        yield path
        return
    root = path.resolve()
    # (path split at "/", path, is a link): sorted by the split path, which is how Path
    # objects compare; os.scandir's entries answer is_file/is_symlink from the directory
    # listing, so a file costs no Path object, stat or lstat (a folder may hold 100,000)
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
        except OSError as exc:
            why = unlisted_reason(exc)
            if rejected is None:
                raise FileRejected(why, file=dirpath) from None
            rejected(Path(dirpath), why)
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                if e.is_dir():
                    todo.append(e.path)
                    continue
            except OSError:  # vanished meanwhile
                continue
            if suffixes is not None and not e.name.lower().endswith(suffixes):
                continue
            try:
                link = e.is_symlink()
            except OSError:
                continue
            found.append((e.path.split(os.sep), e.path, link))
    found.sort(key=lambda t: t[0])
    for _, p, link in found:
        yield within(Path(p), root) if link else Path(p)


def unlisted_reason(exc: OSError) -> str:
    """Why a folder could not be listed, for its file-level reject."""
    if isinstance(exc, PermissionError):
        return "permission denied: the folder cannot be listed; check its owner and mode"
    return f"the folder cannot be listed ({type(exc).__name__})"


@contextmanager
def per_file(sink: SourceSink, result: LoadResult, path: Path | FileRef, *,
             folder: bool = False) -> Iterator[None]:
    """Run a loader's work on one file; a :class:`FileRejected` raised inside, and in a
    folder source (*folder*) any :class:`InputError`, becomes a file-level reject
    (:meth:`LoadResult.file_rejected`, the error's place in the reason) and the loader
    goes on after the block: one file a loader cannot read does not stop the audit of a
    folder. Alone as a source it does (exit 2, the error's one line). What the file
    wrote before the error stays, counted as it was::

        folder = source.path.is_dir()
        for path in input_files(source.path, rejected=result.rejecter(sink)):
            with per_file(sink, result, path, folder=folder):
                result += _load_file(path, sink)
    """
    try:
        yield
    except InputError as exc:
        if not (folder or isinstance(exc, FileRejected)):
            raise
        result.file_rejected(sink, path, reject_reason(exc))


def reject_reason(exc: InputError) -> str:
    """A whole-file error as a file reject's reason: its message, then its place."""
    return exc.message + (f" ({exc.place})" if exc.place else "")


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
