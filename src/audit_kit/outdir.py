"""The folders audit-kit writes, and their life cycle: guard, stage, swap, recover, stop.

What must stay true:

* **Never destroy what the user did not give us.** Every command that writes a folder
  (``run --out``, ``demo --data/--out``, ``report RUN_DIR``, ``subject --out``) first asks
  :func:`check_target`. A folder is written only if it does not exist, is empty, or is
  recognised as audit-kit's own; anything else is refused (exit 2) before anything is
  touched. A run folder is recognised by its ``manifest.json``, a JSON object with
  ``"tool": "audit-kit"`` (:data:`RUN_MARKER`; runs made before the marker existed carry
  ``"audit_kit_version"`` instead and are accepted too). ``--out`` may not be, hold or sit
  inside an input (a source's path, the policy) nor be or hold the config's folder.
* **Only folders audit-kit creates are made owner-only** (:func:`make_private_dirs`);
  existing folders keep their modes, whatever the umask.
* **All or nothing.** A run is built in a staging folder beside the target
  (``.<name>.partial-<pid>-<random>`` holding :data:`PID_FILE`) and renamed into place at
  the end (:func:`promote`). Replacing an earlier run folder replaces only its run outputs
  (:func:`is_run_output`); everything else there (``subjects/``, the access-request
  answers, or a file the user put there) is carried into the new folder.
* **Nothing left behind.** Temporary copies (the GX Data Docs warehouse copy) live inside
  the staging folder, removed on any exit; SIGINT and SIGTERM become :class:`Interrupted`
  so ``finally`` clauses run (:func:`stop_on_signals`). What a ``kill -9`` leaves is
  swept by the next run writing into the same parent folder (:func:`sweep`): ours by the
  name pattern and a pid file whose process is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from audit_kit.errors import OutputError

#: the key and value in a run's manifest.json that say "an audit-kit run folder"
RUN_MARKER = ("tool", "audit-kit")
#: inside a staging folder: the pid of the run building it
PID_FILE = ".audit-kit.pid"
#: what a run writes into its folder; a re-run replaces exactly these names
RUN_OUTPUTS = frozenset({
    "findings.csv", "warehouse.duckdb", "warehouse.duckdb.wal", "validation",
    "manifest.json", "summary.json", "report_params.json", "data_docs", PID_FILE,
    # the reports (audit_kit.report.report_name): language, revealed copy
    "report.html", "report.fi.html", "report.en.html", "report.revealed.html",
    "report.fi.revealed.html", "report.en.revealed.html",
})
_TEMP_FILE = re.compile(r"^\..+\.tmp-\d+$")  # write_private's temporary name
_STAGED = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)(?:-[\w]+)?$")
_MANIFEST_MAX = 64 << 20  # a manifest lists files; anything this big is not ours


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: the run stops, cleans up and leaves earlier outputs."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


# -- recognising folders --------------------------------------------------------------


def is_run_output(name: str) -> bool:
    """A name a run writes into its folder (replaced by a re-run), not one to keep."""
    return name in RUN_OUTPUTS or bool(_TEMP_FILE.match(name))


def read_manifest(path: Path) -> dict | None:
    """The manifest of the run folder *path*, or None if *path* is not a folder an
    audit-kit run wrote (no manifest, unreadable, too big, or without the marker)."""
    manifest = Path(path) / "manifest.json"
    try:
        if not manifest.is_file() or manifest.stat().st_size > _MANIFEST_MAX:
            return None
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    key, value = RUN_MARKER
    ours = doc.get(key) == value or ("audit_kit_version" in doc and "as_of" in doc)
    return doc if ours else None


def is_run_folder(path: Path) -> bool:
    """Whether *path* is a folder an audit-kit run wrote (its manifest says so)."""
    return read_manifest(path) is not None


def is_empty_folder(path: Path) -> bool:
    try:
        return Path(path).is_dir() and not any(os.scandir(path))
    except OSError:
        return False


def holds_only(names: Iterable[str]) -> Callable[[Path], bool]:
    """A recogniser: a folder whose entries are all among *names* (e.g. an earlier
    access-request answer: its letters, ``internal.html`` and ``internal.json``)."""
    allowed = frozenset(names)

    def check(path: Path) -> bool:
        try:
            return all(e.name in allowed and e.is_file(follow_symlinks=False)
                       for e in os.scandir(path))
        except OSError:
            return False

    return check


# -- the guard -------------------------------------------------------------------------


def check_target(
    path: str | Path,
    *,
    flag: str,
    is_ours: Callable[[Path], bool],
    ours: str,
    inputs: Iterable[str | Path] = (),
    homes: Iterable[str | Path] = (),
) -> Path:
    """The one output-folder guard: return *path* resolved, or raise :class:`OutputError`.

    *path* may be written if it does not exist, is an empty folder or ``is_ours(path)``
    (*ours* names that kind of folder in the message). It may not be, contain or lie
    inside any of *inputs*, nor be or contain any of *homes* (the config's folder, a run
    folder: a new folder inside them, like the default ``reports/``, is fine). Nothing
    is created or changed here.
    """
    out = Path(path).resolve()
    where = f"{flag} {path}"
    for p in (out, *out.parents):
        if p.exists() and not p.is_dir():
            what = "is a file" if p == out else f"lies under a file ({p})"
            raise OutputError(f"{where} {what}; give a new or empty folder")
    for home in homes:
        h = Path(home).resolve()
        if out == h or h.is_relative_to(out):
            rel = "is" if out == h else "holds"
            raise OutputError(
                f"{where} {rel} the folder {h} it is made from; give a folder of its own "
                f"(a new one inside it is fine, e.g. {h / 'reports' / 'NAME'})"
            )
    for src in inputs:
        s = Path(src).resolve()
        if out == s or s.is_relative_to(out) or out.is_relative_to(s):
            rel = "is" if out == s else ("holds" if s.is_relative_to(out) else "is inside")
            raise OutputError(
                f"{where} {rel} the input {s}; outputs there would replace or be audited "
                "as inputs; give a folder outside the inputs"
            )
    if out.exists() and not (is_empty_folder(out) or is_ours(out)):
        raise OutputError(
            f"{where} holds files and is not {ours}; nothing was changed; "
            "give a new or empty folder"
        )
    return out


def check_run_folder(path: str | Path, *, flag: str = "--out", inputs=(), homes=()) -> Path:
    """:func:`check_target` for a run's output folder."""
    return check_target(path, flag=flag, is_ours=is_run_folder,
                        ours="an earlier audit-kit run (its manifest.json)",
                        inputs=inputs, homes=homes)


# -- private folders and files ---------------------------------------------------------


def make_private_dirs(path: str | Path) -> Path:
    """Create *path* and its missing parents, each owner-only (0700 whatever the umask);
    folders that exist keep their modes."""
    path = Path(path).absolute()
    missing = [d for d in (path, *path.parents) if not d.exists()]
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by someone else: theirs, left as it is
            continue
        os.chmod(d, 0o700)
    return path


def write_private(path: str | Path, text: str) -> Path:
    """Write *text* to *path* (0600) through a temporary name, so the file is whole or old."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


# -- staging, swap, recovery -----------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid_in(folder: Path) -> int | None:
    try:
        text = (folder / PID_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeError):
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A private staging folder beside *out_dir*; removed on exit unless promoted.

    Sweeps what killed runs left in the same parent first, and creates the parent (and
    its missing parents) owner-only.
    """
    out_dir = Path(out_dir)
    make_private_dirs(out_dir.parent)
    sweep(out_dir.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-{os.getpid()}-",
                                dir=out_dir.parent))
    try:
        os.chmod(tmp, 0o700)
        (tmp / PID_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
        yield tmp
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _carry_over(old: Path, new: Path) -> None:
    """Move what is not a run output from the earlier run folder *old* into *new*, then
    remove *old* (whatever could not be carried stays in *old*, to be tried again)."""
    for entry in sorted(old.iterdir()):
        if not is_run_output(entry.name) and not (new / entry.name).exists():
            os.rename(entry, new / entry.name)
    for entry in old.iterdir():
        if is_run_output(entry.name):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    with contextlib.suppress(OSError):
        old.rmdir()


def promote(tmp: Path, out_dir: Path) -> None:
    """Put the staging folder *tmp* in place of *out_dir* with renames (atomic on one file
    system), carrying the earlier run folder's kept entries (``subjects/``) over."""
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    if out_dir.exists():
        os.rename(out_dir, old)
    os.rename(tmp, out_dir)
    with contextlib.suppress(FileNotFoundError):
        (out_dir / PID_FILE).unlink()
    if old.exists():
        _carry_over(old, out_dir)


def sweep(parent: Path) -> None:
    """Clean up after runs that were killed while writing into *parent*.

    A dead run's staging folder (``.<name>.partial-<pid>-*`` with its pid file, or empty)
    is removed; an output moved away between the renames of :func:`promote`
    (``.<name>.old-<pid>``) is put back, or its kept entries carried into the new one.
    """
    try:
        entries = sorted(Path(parent).iterdir())
    except OSError:
        return
    for p in entries:
        m = _STAGED.match(p.name)
        if not m or not p.is_dir() or p.is_symlink():
            continue
        pid = int(m.group("pid"))
        if pid == os.getpid() or _alive(pid):
            continue
        target = p.parent / m.group("name")
        if m.group("kind") == "partial":
            if _pid_in(p) == pid:
                shutil.rmtree(p, ignore_errors=True)
            elif is_empty_folder(p):
                p.rmdir()
        elif is_run_folder(p) or is_empty_folder(p):
            if not target.exists():
                os.rename(p, target)
            elif is_run_folder(target):
                _carry_over(p, target)


# -- signals ---------------------------------------------------------------------------


class Signals:
    """What :func:`stop_on_signals` saw; :meth:`check` raises if a signal came."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._defer = 0

    def check(self) -> None:
        if self.signum is not None:
            raise Interrupted(self.signum)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Within: a signal is recorded, not raised (renames that must finish together)."""
        self._defer += 1
        try:
            yield
        finally:
            self._defer -= 1


@contextlib.contextmanager
def stop_on_signals() -> Iterator[Signals]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` for the duration.

    Libraries (GX, DuckDB, the report kernel, worker pools) sometimes turn the interrupt
    into an ordinary exception or swallow it; the signal is also recorded, so any
    exception after it leaves as :class:`Interrupted` (never an error blaming an input),
    and :meth:`Signals.check` stops a run that went on. Outside the main thread (where
    handlers cannot be installed) only the recording is missing.
    """
    sig = Signals()
    if threading.current_thread() is not threading.main_thread():
        yield sig
        return

    def handler(signum, _frame):
        if sig.signum is None:
            sig.signum = signum
        if not sig._defer:
            raise Interrupted(signum)

    def unraisable(info):
        # the handler ran where Python cannot raise (a weakref callback, a __del__): the
        # signal is recorded and the run stops at its next check; no traceback on stderr
        if not isinstance(info.exc_value, Interrupted):
            previous_hook(info)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield sig
    except Interrupted:
        raise
    except BaseException as exc:
        if sig.signum is not None:
            raise Interrupted(sig.signum) from exc
        raise
    finally:
        sys.unraisablehook = previous_hook
        for s, h in previous.items():
            signal.signal(s, h)
