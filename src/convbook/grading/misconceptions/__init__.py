"""Name the misconception a wrong result matches: one sentence for a failing check's message.

When a student's result differs from torch's, :func:`~convbook.grading.check` and
:func:`~convbook.grading.check_value` call :func:`explain` with the function's name,
the student's result and the call's arguments. For that name the registry lists
the common wrong variants of the computation (a flipped kernel, total instead of
per-side padding, floor instead of ``ceil_mode``'s rule, zero instead of ``-inf``
padding in max pooling, ...), each computed here with torch or NumPy from the
same arguments. The first variant that equals the student's result names the
mistake::

    your output equals a true convolution (kernel flipped); torch computes cross-correlation — see chapter 1

A variant may also predict only a wrong *shape* (:class:`Shape`), e.g. an output
size computed with floor instead of ceil: then the sentence names the shape.

This runs where checks run: in the student's own kernel (visible tests) and in
the trusted grader, both with torch, never in the sandboxed kernel. A variant
that does not apply to a call returns ``None`` (or raises: that counts as not
applicable), and a diagnosis never hides the failure itself.

The registry lives in the submodules, one per part of the book: :mod:`.convolution`
(chapters 1-8), :mod:`.fields` (receptive fields, chapter 3, and overlap counts,
chapter 8), :mod:`.sequences` (shift equivariance, chapter 6), :mod:`.shuffle`
(channel shuffle, chapter 5), :mod:`.pooling`
(chapter 9), :mod:`.backprop` (chapters 10-11), :mod:`.computing` (im2col, FFT and
Winograd convolutions, chapter 12), :mod:`.architectures` (layer and network costs,
chapter 13), :mod:`.applications` (bilinear upsampling, pixel shuffle, causal
stacks, chapter 14).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Misconception:
    """A known wrong way to compute a function: what it computes, what torch computes, where the book says so."""

    says: str
    truth: str
    chapter: int
    variant: Callable[[dict], Any]


class Shape(tuple):
    """A variant's prediction of a wrong output *shape* only (its values may be anything)."""


class Exact:
    """A variant's result whose dtype matters too (e.g. float64 where torch keeps float32)."""

    def __init__(self, value: np.ndarray) -> None:
        self.value = np.asarray(value)


class NonFinite:
    """A variant that predicts only that the result holds inf or nan (e.g. an overflowing exp)."""


REGISTRY: dict[str, list[Misconception]] = {}
SIGNATURES: dict[str, tuple] = {}


def signature(names: tuple[str, ...], *parameters: str | tuple[str, Any]) -> None:
    """Declare the parameters (``"name"`` or ``("name", default)``) of the functions called ``names``."""
    for name in names:
        SIGNATURES[name] = parameters


def misconception(*names: str, says: str, truth: str, chapter: int) -> Callable:
    """Register the decorated ``variant(p)`` (``p``: the call's arguments by parameter name) for ``names``.

    ``says`` and ``truth`` may name parameters in braces, e.g. ``"padding {padding}"``.
    """

    def register(variant: Callable[[dict], Any]) -> Callable[[dict], Any]:
        for name in names:
            REGISTRY.setdefault(name, []).append(Misconception(says, truth, chapter, variant))
        return variant

    return register


def bind(name: str, args: tuple, kwargs: dict) -> dict | None:
    """The call's arguments by parameter name (defaults filled in), or None if they do not fit."""
    parameters = SIGNATURES.get(name)
    if parameters is None:
        return None
    bound: dict[str, Any] = {}
    names = [p if isinstance(p, str) else p[0] for p in parameters]
    if len(args) > len(names):
        return None
    bound.update(zip(names, args))
    for key, value in kwargs.items():
        if key not in names or key in bound:
            return None
        bound[key] = value
    for p in parameters:
        if isinstance(p, tuple):
            bound.setdefault(p[0], p[1])
    if any(n not in bound for n in names):
        return None
    return bound


def matches(got: Any, wrong: Any) -> bool:
    """Whether the student's result ``got`` is the variant's ``wrong`` result (or has its :class:`Shape`)."""
    if wrong is None:
        return False
    if isinstance(wrong, NonFinite):
        return isinstance(got, np.ndarray) and got.dtype.kind in "fc" and not bool(np.all(np.isfinite(got)))
    if isinstance(wrong, Exact):
        return isinstance(got, np.ndarray) and got.dtype == wrong.value.dtype and matches(got, wrong.value)
    if isinstance(wrong, Shape):
        return isinstance(got, np.ndarray) and tuple(got.shape) == tuple(wrong)
    if isinstance(wrong, np.ndarray) or hasattr(wrong, "numpy"):
        wrong = np.asarray(wrong)
        if not isinstance(got, np.ndarray) or got.shape != wrong.shape:
            return False
        if got.size == 0:
            return True
        if got.dtype.kind not in "iufb" or wrong.dtype.kind not in "iufb":
            return False
        loose = np.float32 in (got.dtype, wrong.dtype) or np.float16 in (got.dtype, wrong.dtype)
        rtol, atol = (1e-4, 1e-5) if loose else (1e-6, 1e-8)
        return bool(np.allclose(got.astype(float), wrong.astype(float), rtol=rtol, atol=atol, equal_nan=True))
    return _plain(got) == _plain(wrong)


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    return value


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fields(p: dict) -> _Fields:
    shown = _Fields()
    for key, value in p.items():
        shown[key] = f"shape {tuple(value.shape)}" if isinstance(value, np.ndarray) else repr(value)
    return shown


def explain(name: str, got: Any, args: tuple, kwargs: dict) -> str | None:
    """One sentence naming the misconception that ``got`` (the student's result of ``name(*args, **kwargs)``)
    matches, or None when it matches none of the registered variants."""
    candidates = REGISTRY.get(name)
    if not candidates:
        return None
    p = bind(name, args, kwargs)
    if p is None:
        return None
    for m in candidates:
        try:
            wrong = m.variant(dict(p))
        except Exception:  # noqa: BLE001, S112 - a variant that does not apply to this call
            continue
        if matches(got, wrong):
            fields = _fields(p)
            says, truth = m.says.format_map(fields), m.truth.format_map(fields)
            where = f"torch computes {truth} — see chapter {m.chapter}"
            if isinstance(wrong, Shape):
                return f"your output's shape {tuple(wrong)} is that of {says}; {where}"
            return f"your output equals {says}; {where}"
    return None


from . import (  # noqa: E402, F401 - they fill the registry
    applications,
    architectures,
    backprop,
    computing,
    convolution,
    fields,
    pooling,
    sequences,
    shuffle,
)

__all__ = [
    "REGISTRY",
    "Exact",
    "Misconception",
    "NonFinite",
    "Shape",
    "bind",
    "explain",
    "matches",
    "misconception",
    "signature",
]
