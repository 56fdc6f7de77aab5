"""Forked worker processes: run one function over batches of work, results streamed back as they come."""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: How often the parent checks that no worker died while it waits for results (s).
_POLL = 0.5


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def fork_map(work: Callable[[T], R], batches: list[T], workers: int) -> Iterator[R]:
    """Yield work(batch) for every batch, in the order they finish, computed in forked processes.

    The workers are forked, so they inherit `work` and everything it reaches (the model, the
    compiled templates) without pickling; only the batches and the results cross between
    processes. An exception in a worker is raised here, with the worker's traceback as a note.
    """
    context = multiprocessing.get_context("fork")
    tasks: Any = context.SimpleQueue()
    results: Any = context.Queue()
    count = max(1, min(workers, len(batches)))
    # The workers' collector then leaves the inherited objects (and their memory pages) alone.
    gc.freeze()
    processes: list[BaseProcess] = []
    try:
        for _ in range(count):
            process: BaseProcess = context.Process(target=_serve, args=(work, batches, tasks, results), daemon=True)
            process.start()
            processes.append(process)
    finally:
        gc.unfreeze()
    # Only the numbers of the batches cross: the workers inherited the batches themselves.
    for number in range(len(batches)):
        tasks.put(number)
    for _ in range(count):
        tasks.put(None)
    try:
        for _ in batches:
            while True:
                try:
                    ok, value = results.get(timeout=_POLL)
                    break
                except queue.Empty:
                    if any(p.exitcode not in (None, 0) for p in processes):
                        raise RuntimeError("a worker process died") from None
            if not ok:
                error, trace = value
                error.add_note(f"in a worker process:\n{trace}")  # shown with the traceback (--verbose)
                raise error
            yield value
    finally:
        for process in processes:
            process.join(timeout=1)
            if process.is_alive():
                process.kill()
                process.join()
        results.close()


def _serve(work: Callable[[Any], Any], batches: list[Any], tasks: Any, results: Any) -> None:
    while (task := tasks.get()) is not None:
        try:
            results.put((True, work(batches[task])))
        except BaseException as error:  # reported to the parent, which raises it
            try:
                pickle.dumps(error)
            except Exception:  # it must cross to the parent: one that cannot is named instead
                error = RuntimeError(f"{type(error).__name__}: {error}")
            results.put((False, (error, traceback.format_exc())))
    results.close()
    results.join_thread()
