"""What the visible part of a test cell uses besides the checks: random cases replayable from a seed.

A test cell defines its random cases once, as a generator ``cases(rng)`` in its
visible part, and checks them twice::

    for case, seed in random_cases(cases, seed=2024, count=6):   # visible: 6 cases, fixed seed
        grading.check(conv2d, reference, **case, seed=seed)
    ### BEGIN HIDDEN TESTS
    for case, seed in random_cases(cases):                        # grading: every case, fresh seed
        grading.check(conv2d, reference, **case, seed=seed)
    ### END HIDDEN TESTS

A failing random case prints ``reproduce with CONVBOOK_SEED=<seed>``. With
``CONVBOOK_SEED`` set (``%env CONVBOOK_SEED=<seed>`` in the notebook), the
visible loop runs **every** case of that seed, in the order the graded run
checked them, so the case a feedback message names fails again in the
student's own notebook.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from .cases import fresh_rng

_default_rng = np.random.default_rng


def random_cases(
    cases: Callable[[np.random.Generator], Iterable[Any]], seed: int | None = None, count: int | None = None
) -> Iterator[tuple[Any, int]]:
    """Yield ``(case, seed)`` for the cases ``cases(rng)`` draws.

    - ``seed=None`` (the hidden tests): a fresh seed (:func:`~convbook.grading.fresh_rng`), every case;
    - ``CONVBOOK_SEED`` set: that seed, every case (a graded run, replayed);
    - otherwise (the visible tests): ``count`` cases spread evenly over the sequence ``seed`` draws,
      its first and last included (the last cases of a generator are usually its edge cases).
    """
    if seed is None or os.environ.get("CONVBOOK_SEED"):
        rng, seed = fresh_rng()
        for case in cases(rng):
            yield case, seed
        return
    drawn = list(cases(_default_rng(seed)))
    if count is None or count >= len(drawn):
        chosen = range(len(drawn))
    elif count <= 1:
        chosen = range(min(count, 1))
    else:
        chosen = sorted({round(i * (len(drawn) - 1) / (count - 1)) for i in range(count)})
    for i in chosen:
        yield drawn[i], seed


def passed(name: str) -> None:
    """Count one hand-written check of ``name`` (asserts in a test cell) for :func:`~convbook.grading.summary`."""
    from . import checks

    checks._passed[name] = checks._passed.get(name, 0) + 1


__all__ = ["passed", "random_cases"]
