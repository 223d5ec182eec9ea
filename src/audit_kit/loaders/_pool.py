"""A process pool for loaders that parse one big file in byte ranges.

A big input (an mbox, a vCard backup) is cut at record starts so that no record spans a
cut; each range is parsed by a worker and the parent writes the results in file order,
so provenance (offsets, card and line numbers) is what a single pass gives. Workers are
*spawned*, never forked: the parent holds a DuckDB connection, which a forked child
must not inherit. Below a size threshold, start-up (each worker imports the loader)
costs more than it saves, so the caller keeps small files in-process.

:func:`gc_paused` is for the parsing itself, in a worker or in-process.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


def pool_size(workers: int | None, size: int, min_bytes: int) -> int:
    """How many worker processes for an input of *size* bytes (1: parse in-process).

    *workers* is the caller's override (``None``: one per CPU).
    """
    n = workers if workers is not None else (os.cpu_count() or 1)
    return n if n > 1 and size >= min_bytes else 1


def cut_ranges(first: int, size: int, chunk: int,
               next_cut: Callable[[int], int]) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``[first, size)``, each about *chunk* bytes.

    ``next_cut(pos)`` returns the offset of the first record start at or after *pos*
    (``size`` when there is none): every range begins at a record start.
    """
    cuts = [first]
    pos = first + chunk
    while pos < size:
        cut = next_cut(pos)
        if cut >= size:
            break
        cuts.append(cut)
        pos = cut + chunk
    cuts.append(size)
    return list(zip(cuts, cuts[1:], strict=False))


def ordered_map(task: Callable[[Any], Any], args: Iterable[Any], workers: int) -> Iterator[Any]:
    """``task(a)`` for each of *args* in a spawned pool of *workers*, yielded in order.

    *task* must be a module-level function (it is pickled by name).
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # never fork a process holding a DuckDB connection
    with ctx.Pool(workers) as pool:
        yield from pool.imap(task, args)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block without the cyclic garbage collector.

    A parser that builds a million small objects (lines, properties, row lists) sets
    off a full collection again and again, each walking every object alive: a third
    of a vCard backup's parse time. Reference counting still frees everything that
    is not in a cycle, and the parser makes no cycles; the collector's state is
    restored after the block.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
