"""A process pool for loaders that parse one big file in byte ranges.

A big input (an mbox, a vCard backup) is cut at record starts so that no record spans a
cut, a big folder (Finvoice invoices) into chunks of files; each part is parsed by a
worker (:func:`ordered_map`, the one pool) and the parent writes the results in order,
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


def ordered_map(task: Callable[[Any], Any], args: Iterable[Any], workers: int, *,
                window: int | None = None) -> Iterator[tuple[Any, Any]]:
    """``(a, task(a))`` for each of *args* in a spawned pool of *workers*, in order.

    At most *window* tasks (default ``2 * workers + 2``) are in flight: *args* may be a
    lazy iterator (a big folder's listing, consumed as the tasks go out) and a result
    waits in memory only that long, while the workers keep parsing as the parent writes.
    *task* must be picklable (a module-level function, or a ``functools.partial`` of one).
    """
    import itertools
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("spawn")  # never fork a process holding a DuckDB connection
    it = iter(args)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        pending = deque((a, ex.submit(task, a))
                        for a in itertools.islice(it, window or 2 * workers + 2))
        while pending:
            a, fut = pending.popleft()
            done = fut.result()
            for nxt in itertools.islice(it, 1):
                pending.append((nxt, ex.submit(task, nxt)))
            yield a, done


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
