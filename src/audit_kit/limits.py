"""How inputs are opened, and how much of them is read: one layer for every loader.

Exports are untrusted. A FIFO or a device where a file should be hangs a reader or
feeds it forever; a few kilobytes of zip, gzip, XML or XLSX can stand for gigabytes of
work. So:

* :func:`open_input` is the one way an input (a loader's file, the policy, the config)
  is opened: a regular file only, refused at once otherwise (a FIFO is opened without
  blocking, so refusing it never waits for a writer), and no bigger than
  ``max_file_bytes``.
* :class:`Limits` (the ``limits:`` section of the audit config) bounds what a file may
  expand to; the checks below apply them before (zip and XLSX directories, XML) or
  while (gzip streams, sheet rows, log lines) a loader reads.

A file over a limit raises :class:`~audit_kit.errors.FileRejected`; the loader records
it as a file-level reject with the reason (``SourceSink.reject_file``), and the audit
goes on with the other files. The defaults fit a small company's exports with a wide
margin (workload L of the benchmarks, 5.4 GB, is far inside them) and keep one bad file
under about 1 GB of memory; each reason names the limit to raise when a real file is
refused.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict, Field

from audit_kit.errors import FileRejected, InputError

_MiB = 1 << 20
_GiB = 1 << 30

#: the compression ratio is checked once this much has come out: small members of
#: ordinary files (an XLSX's styles, a short log) can be far more compressible
RATIO_FREE_BYTES = 8 * _MiB


class Limits(BaseModel):
    """Per-file bounds on what the loaders read (the audit config's ``limits:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: any input file, as it lies on disk
    max_file_bytes: int = Field(16 * _GiB, gt=0)
    #: what one .gz file or one zip member decompresses to, and a whole archive's members
    max_decompressed_bytes: int = Field(4 * _GiB, gt=0)
    #: decompressed / compressed bytes (Apache POI's zip-bomb guard uses 100 too)
    max_compression_ratio: float = Field(100.0, gt=1)
    #: elements in one XML file or zip member (~500 bytes of memory each once parsed)
    max_xml_elements: int = Field(1_000_000, gt=0)
    #: rows x columns one worksheet spans (openpyxl pads every row to the widest)
    max_xlsx_cells: int = Field(20_000_000, gt=0)
    #: entries of a workbook's shared-strings table (all held in memory by openpyxl)
    max_xlsx_shared_strings: int = Field(2_000_000, gt=0)
    #: lines in one text log file
    max_lines: int = Field(20_000_000, gt=0)


DEFAULT = Limits()

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def _size(n: float) -> str:
    if n >= _GiB:
        return f"{n / _GiB:g} GiB"
    return f"{n / _MiB:g} MiB" if n >= _MiB else f"{n:g} bytes"


def not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, what in _KINDS:
        if test(mode):
            return f"not a regular file ({what}); only regular files are read"
    return "not a regular file; only regular files are read"


def open_input(path: str | Path, limits: Limits = DEFAULT) -> BinaryIO:
    """*path* opened for reading in binary, or :class:`FileRejected` with the reason.

    Only a regular file is opened: the open itself does not block (``O_NONBLOCK``, so a
    FIFO without a writer does not hang it) and follows the descriptor's own ``fstat``,
    so what is checked is what is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise FileRejected("permission denied; check the file's owner and mode",
                           file=path) from None
    except FileNotFoundError:
        raise FileRejected("file not found (a link to nowhere, or removed while the audit "
                           "ran)", file=path) from None
    except OSError as exc:
        raise FileRejected(f"cannot be opened ({type(exc).__name__})", file=path) from None
    try:
        st = os.fstat(fd)
        why = not_regular(st.st_mode)
        if why:
            raise FileRejected(why, file=path)
        check_file_size(st.st_size, limits, path)
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | Path, limits: Limits = DEFAULT) -> bytes:
    """The whole of a regular file (see :func:`open_input`)."""
    with open_input(path, limits) as fh:
        try:
            return fh.read()
        except OSError as exc:
            raise FileRejected(f"cannot be read ({type(exc).__name__})", file=path) from None


def check_file_size(size: int, limits: Limits, path: str | Path | None = None) -> None:
    if size > limits.max_file_bytes:
        raise FileRejected(f"file is larger than {_size(limits.max_file_bytes)} "
                           "(limits.max_file_bytes); split the export or raise the limit",
                           file=path)


def check_inflation(out_bytes: int, in_bytes: int, limits: Limits,
                    what: str = "file") -> None:
    """*in_bytes* of compressed data that gave *out_bytes*: within the limits?"""
    if out_bytes > limits.max_decompressed_bytes:
        raise FileRejected(f"{what} decompresses to more than "
                           f"{_size(limits.max_decompressed_bytes)} "
                           "(limits.max_decompressed_bytes)")
    if out_bytes > RATIO_FREE_BYTES and out_bytes > limits.max_compression_ratio * max(in_bytes,
                                                                                      1):
        raise FileRejected(f"{what} decompresses to more than "
                           f"{limits.max_compression_ratio:g} times its size "
                           "(limits.max_compression_ratio): a compression bomb?")


def bounded_blocks(stream: BinaryIO, consumed: Callable[[], int], limits: Limits,
                   block: int) -> Iterator[bytes]:
    """*stream*'s decompressed blocks, checked against the limits as they come out;
    ``consumed()`` is how many compressed bytes have been read under it so far."""
    out = 0
    while b := stream.read(block):
        out += len(b)
        check_inflation(out, consumed(), limits)
        yield b


# -- compressed streams, recognised by content ----------------------------------------

#: (first bytes, name): what a compressed file starts with, whatever it is called
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_BZIP2 = re.compile(rb"BZh[1-9](?:1AY&SY|\x17rE8P\x90)")


def compression(head: bytes) -> str | None:
    """The compression a file's first 10 bytes show (gzip, xz, bzip2, zstd), or None.

    A rotated log is compressed whatever its name says (``maillog.1`` may be gzip,
    ``maillog.2.xz`` is xz), so the content decides, never the suffix.
    """
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return "bzip2" if _BZIP2.match(head) else None


def decompressed_blocks(raw: BinaryIO, kind: str, consumed: Callable[[], int],
                        limits: Limits, block: int, path: str | Path | None = None
                        ) -> Iterator[bytes]:
    """The decompressed content of *raw* (compressed with *kind*, see :func:`compression`)
    in blocks, within the limits (:func:`bounded_blocks`); every stream or frame of a
    concatenated file is read. Corrupt or truncated data is an InputError."""
    import bz2
    import gzip
    import lzma
    import zlib

    stream: Any
    if kind == "gzip":
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
    elif kind == "xz":
        stream = lzma.LZMAFile(raw)
    elif kind == "bzip2":
        stream = bz2.BZ2File(raw)
    else:
        try:
            import zstandard
        except ImportError:
            raise FileRejected("zstd-compressed, and the zstandard package is not installed; "
                               "pip install zstandard or decompress the file", file=path) from None
        stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    errors: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)
    if kind == "zstd":
        errors += (zstandard.ZstdError,)
    try:
        yield from bounded_blocks(stream, consumed, limits, block)
    except errors:
        raise InputError(f"not a readable {kind} file (corrupt or truncated)", file=path) from None


# -- zip archives (Finvoice deliveries, XLSX packages) ----------------------------------

def check_zip(infos: Iterable[zipfile.ZipInfo], archive_bytes: int, limits: Limits) -> None:
    """The archive as a whole: no overlapping entries, total size and ratio in bounds.

    Entries whose data overlap (several directory entries for one member, or
    David Fifield's overlapping-file construction) make a few kilobytes unpack again and
    again; no archiver writes them. :mod:`zipfile` stops each member at its declared
    size, so the declared sizes bound what is read.
    """
    infos = sorted(infos, key=lambda i: i.header_offset)
    for a, b in zip(infos, infos[1:], strict=False):
        # a local header is at least 30 bytes, then the member's data
        if b.header_offset < a.header_offset + 30 + a.compress_size:
            raise FileRejected("zip entries overlap (one member's data listed several "
                               "times): a zip bomb; re-create the archive")
    total = sum(i.file_size for i in infos)
    check_inflation(total, archive_bytes, limits, "archive")


def zip_member_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    """Why one zip member is not read (None: within the limits)."""
    try:
        check_inflation(info.file_size, info.compress_size, limits, "zip member")
    except FileRejected as exc:
        return exc.message
    return None


# -- XML --------------------------------------------------------------------------------

def check_xml_elements(data: bytes | str, limits: Limits) -> None:
    """No more than ``max_xml_elements`` start tags (counted before parsing).

    ``<`` not followed by ``/``, ``!`` or ``?`` starts an element, except inside a
    comment or CDATA section: the count errs upward only, and costs a few C-level scans.
    """
    if len(data) // 4 <= limits.max_xml_elements:  # "<x/>" is the shortest element
        return
    if isinstance(data, str):
        n = data.count("<") - data.count("</") - data.count("<!") - data.count("<?")
    else:
        n = data.count(b"<") - data.count(b"</") - data.count(b"<!") - data.count(b"<?")
    if n > limits.max_xml_elements:
        raise FileRejected(f"more than {limits.max_xml_elements:,} XML elements "
                           "(limits.max_xml_elements); split the file or raise the limit")


# -- XLSX -------------------------------------------------------------------------------

_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def check_xlsx(fh: BinaryIO, size: int, limits: Limits) -> None:
    """An XLSX package before openpyxl opens it: the zip (see :func:`check_zip`, each
    member too) and the shared-strings count, which openpyxl reads whole into memory."""
    try:
        _check_xlsx(fh, size, limits)
    finally:
        fh.seek(0)


def _check_xlsx(fh: BinaryIO, size: int, limits: Limits) -> None:
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return  # not a zip: openpyxl says so in its own words
    check_zip(infos, size, limits)
    for info in infos:
        why = zip_member_problem(info, limits)
        if why:
            raise FileRejected(f"{why} ({info.filename})")
    for info in infos:
        if info.filename.lower().rsplit("/", 1)[-1] == "sharedstrings.xml":
            n = 0
            tail = b""
            try:
                with zf.open(info) as part:
                    while block := part.read(4 * _MiB):
                        data = tail + block
                        cut = data.rfind(b"<")
                        if cut < 0:
                            cut = len(data)
                        n += len(_SI.findall(data, 0, cut))
                        tail = data[cut:]
                        if n > limits.max_xlsx_shared_strings:
                            raise FileRejected(
                                f"more than {limits.max_xlsx_shared_strings:,} shared strings "
                                "(limits.max_xlsx_shared_strings); save the workbook again "
                                "or raise the limit")
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
                return  # damaged: openpyxl says so


class SheetExtent:
    """Rows and width of a worksheet as openpyxl yields them: :meth:`row` raises once
    rows x widest row passes ``max_xlsx_cells`` (a cell at XFD1048576 alone spans
    17 billion cells: openpyxl pads every row to the widest and every gap with rows)."""

    def __init__(self, limits: Limits):
        self.limits, self.rows, self.width = limits, 0, 0

    def fits(self, rows: int | None, width: int | None) -> bool:
        return (rows or 0) * (width or 0) <= self.limits.max_xlsx_cells

    def row(self, n: int, width: int) -> None:
        self.rows, self.width = max(self.rows, n), max(self.width, width)
        if not self.fits(self.rows, self.width):
            raise FileRejected(
                f"the sheet spans more than {self.limits.max_xlsx_cells:,} cells (rows x "
                f"columns, row {n}; limits.max_xlsx_cells); delete the stray cells far "
                "right or below the data and save again, or raise the limit")


def check_lines(lines: int, limits: Limits) -> None:
    if lines > limits.max_lines:
        raise FileRejected(f"more than {limits.max_lines:,} lines (limits.max_lines); "
                           "split the file or raise the limit")
