"""What Python's cyclic garbage collector walks, and when: one home for the run's three
policies. Objects are made by the hundred thousand (modules, a step log's tuples, a workbook's
cells), and each full collection walks every object alive; the run makes no reference cycles
of its own worth collecting meanwhile.

- `paused()`: no collection while the engine's steps run.
- `settled_imports()`: the main job's imports made without collection, then frozen (left out of
  every later pass) for the rest of the run.
- `settled_heap()`: what exists is left out of the passes while a writer adds objects; on
  leaving, everything frozen (the imports' too) is walked again, the writer's work being done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection while the steps run: they make a small tuple or two per
    logged unit (a nation's step log: 100,000s of Steps and their parameters), and the
    collector's passes over them cost more than making them (a nation: about 1.3 s of 10). The
    steps make no reference cycles of their own; whatever pandas leaves in one is collected
    when the collector runs again after the engine."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def settled_imports() -> Iterator[None]:
    """Import pandas & co. without collecting, then leave what they made out of the passes
    (gc.freeze): those objects (hundreds of thousands) live as long as the run, and walking
    them cost a province's run two full passes, 0.12 s, while it imported and read."""
    with paused():  # frozen before collecting resumes: no pass over them at all
        try:
            yield
        finally:
            gc.freeze()


@contextmanager
def settled_heap() -> Iterator[None]:
    """Leave what already exists (the Result's millions of objects) out of the garbage
    collector's scans while a writer adds objects by the million (XlsxWriter one per cell,
    the CSV writer one per value): otherwise every full collection walks them all again, a
    third of the writing time for a province."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
