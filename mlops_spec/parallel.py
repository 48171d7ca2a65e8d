"""The one worker pool: big batches of specs in contiguous chunks on forked processes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Option = TypeVar("Option")

PARALLEL_MIN_ITEMS = 40
"""Batches of at least this many specs run on every core; fewer are not worth starting
worker processes for (about 20 specs per worker at least)."""


def in_chunks(work: Callable[[list[Item], Option], Result], items: Sequence[Item],
              option: Option, *, parallel: bool = True) -> list[Result]:
    """``work(chunk, option)`` over contiguous chunks of ``items``, in input order.

    One chunk (in this process) for small batches, without ``parallel``, or where ``fork``
    is unavailable; forked workers inherit the loaded models and validator, so they pay no
    second cold start. ``multiprocessing`` is imported only when it is used (startup).
    """
    if not parallel or len(items) < PARALLEL_MIN_ITEMS:
        return [work(list(items), option)]
    import multiprocessing
    import os

    workers = min(os.cpu_count() or 1, len(items) // max(1, PARALLEL_MIN_ITEMS // 2))
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [work(list(items), option)]
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(items) // workers)
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
        return list(pool.map(work, chunks, [option] * len(chunks)))
