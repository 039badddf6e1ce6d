"""The call guard: while a student's function runs, calls to forbidden libraries raise.

In the student's own kernel (visible tests in JupyterLab) it stops honest
mistakes and casual shortcuts: a profiler (``sys.setprofile``) looks at what
actually runs, so saved references and aliases are caught too, and switching
the profiler off counts as a forbidden call. It runs inside the student's
process, so it is no defence against a determined student: at autograde the
sandbox (which has no torch, scipy or convbook to call) is the defence, and
the guard only adds the NumPy shortcuts (``np.convolve``, stride tricks) the
sandbox cannot remove.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

_getprofile = sys.getprofile
_setprofile = sys.setprofile
_threading_setprofile = threading.setprofile
_type = type


class ForbiddenCallError(AssertionError):
    """The student's function called a library function the task forbids."""


class GuardDisabledError(ForbiddenCallError):
    """The student's function switched the call guard (the profiler) off."""


# --------------------------------------------------------------------------
# The call guard
# --------------------------------------------------------------------------

_GRADING_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _package_dir(name: str) -> str | None:
    """The directory of package ``name``, found without importing it (importing scipy.signal takes a second)."""
    import importlib.util

    top, _, rest = name.partition(".")
    module = sys.modules.get(top)
    path = getattr(module, "__file__", None) if module is not None else None
    if path is None:
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            return None
        path = spec.origin if spec is not None else None
    if not path:
        return None
    directory = os.path.dirname(os.path.abspath(path))
    if rest:
        directory = os.path.join(directory, *rest.split("."))
    return directory + os.sep


def _default_forbidden_dirs(allow: tuple = ()) -> dict[str, str]:
    """Directory prefix -> what to call it in messages (packages in ``allow`` left out)."""
    dirs = {}
    for name, label in [
        ("torch", "torch"),
        ("scipy.signal", "scipy.signal"),
        ("scipy.ndimage", "scipy.ndimage"),
        ("convbook", "convbook's own implementation"),
    ]:
        if name in allow:
            continue
        path = _package_dir(name)
        if path:
            dirs[path] = label
    return dirs


def _impl(f: Any) -> Any:
    return getattr(f, "_implementation", f)


def _numpy_shortcut_codes() -> dict[Any, str]:
    """The NumPy functions that would do a task's work: forbidden to the student's own code only."""
    from numpy.lib import stride_tricks

    return {
        _impl(f).__code__: label
        for f, label in [
            (np.convolve, "np.convolve"),
            (np.correlate, "np.correlate"),
            (stride_tricks.sliding_window_view, "numpy.lib.stride_tricks.sliding_window_view"),
            (stride_tricks.as_strided, "numpy.lib.stride_tricks.as_strided"),
        ]
    }


def _default_forbidden_codes() -> dict[Any, str]:
    codes = _numpy_shortcut_codes()
    for f, label in [
        (threading.setprofile, "threading.setprofile (switching the call guard off)"),
        (threading.settrace, "threading.settrace (switching the call guard off)"),
    ]:
        codes[_impl(f).__code__] = label
    for name in ("setprofile_all_threads", "settrace_all_threads"):
        if hasattr(threading, name):
            codes[getattr(threading, name).__code__] = f"threading.{name} (switching the call guard off)"
    return codes


def _numpy_shortcut_builtins() -> dict[int, str]:
    """NumPy's C correlation, what np.convolve/np.correlate call (forbidden to the student's own code only)."""
    from numpy._core import multiarray

    return {
        id(getattr(multiarray, name)): f"numpy's C {name} (what np.convolve/np.correlate call)"
        for name in ("correlate", "correlate2")
        if hasattr(multiarray, name)
    }


def _default_forbidden_builtins() -> dict[int, str]:
    return {
        id(sys.setprofile): "sys.setprofile (switching the call guard off)",
        id(sys.settrace): "sys.settrace (switching the call guard off)",
        **_numpy_shortcut_builtins(),
    }


_FORBIDDEN_MODULE_PREFIXES = ("torch", "scipy.signal", "scipy.ndimage", "convbook")
_ALLOWED_MODULES = ("convbook.grading",)
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep


class _Guard:
    """A profile function that records (and raises on) forbidden calls."""

    def __init__(self, extra: tuple = (), allow: tuple = ()) -> None:
        self.dirs = _default_forbidden_dirs(allow)
        self.module_prefixes = tuple(m for m in _FORBIDDEN_MODULE_PREFIXES if m not in allow)
        self.codes = _default_forbidden_codes()
        self.builtins = _default_forbidden_builtins()
        for f in extra:
            f = _impl(f)
            label = getattr(f, "__qualname__", repr(f))
            if hasattr(f, "__code__"):
                self.codes[f.__code__] = label
            else:
                self.builtins[id(f)] = label
        self.verdicts: dict[Any, str | None] = {}
        self.violations: list[str] = []
        self.exit_code = None
        # An allowed package (convbook, when a task lets students build on it) may use NumPy's shortcuts
        # itself: convbook's depthwise convolution gathers its columns through as_strided.
        self.allowed_dirs = tuple(d for d in map(_package_dir, allow) if d)
        self.shortcut_codes = set(_numpy_shortcut_codes())
        self.shortcut_builtin_ids = set(_numpy_shortcut_builtins())

    def called_by_allowed_package(self, frame: Any) -> bool:
        """Whether the nearest caller outside NumPy (``frame`` or a frame above it) is an allowed package's code.

        The nearest one, not any: a student's function that an allowed package calls back (a layer in
        ``convbook.nn.Sequential``) is still the student's code.
        """
        if not self.allowed_dirs:
            return False
        while frame is not None and frame.f_code.co_filename.startswith(_NUMPY_DIR):
            frame = frame.f_back
        return frame is not None and frame.f_code.co_filename.startswith(self.allowed_dirs)

    def code_verdict(self, code: Any) -> str | None:
        verdict = self.codes.get(code)
        if verdict is None:
            filename = code.co_filename
            if filename and not filename.startswith(_GRADING_DIR):
                absolute = os.path.abspath(filename) if not filename.startswith("<") else filename
                for prefix, label in self.dirs.items():
                    if absolute.startswith(prefix):
                        verdict = f"{label} ({code.co_name} in {os.path.basename(filename)})"
                        break
        self.verdicts[code] = verdict
        return verdict

    def builtin_verdict(self, f: Any) -> str | None:
        verdict = self.builtins.get(id(f))
        if verdict is not None:
            return verdict
        module = getattr(f, "__module__", None)
        if module is None:
            owner = getattr(f, "__self__", None)
            if owner is not None:
                module = owner.__name__ if _type(owner) is _type(sys) else _type(owner).__module__
        if module and module.startswith(self.module_prefixes) and not module.startswith(_ALLOWED_MODULES):
            name = getattr(f, "__qualname__", getattr(f, "__name__", repr(f)))
            return f"{module}.{name}"
        return None

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            verdict = self.verdicts[code] if code in self.verdicts else self.code_verdict(code)
            if verdict is not None and code in self.shortcut_codes and self.called_by_allowed_package(frame.f_back):
                return
        elif event == "c_call":
            if frame.f_code is self.exit_code:
                return
            verdict = self.builtin_verdict(arg)
            if verdict is not None and id(arg) in self.shortcut_builtin_ids and self.called_by_allowed_package(frame):
                return
        else:
            return
        if verdict is not None:
            self.violations.append(verdict)
            raise ForbiddenCallError(f"this task forbids calling {verdict}; write it with plain NumPy")


_GUARD_CACHE: dict[tuple[tuple, tuple], _Guard] = {}


def _uninstall(guard: _Guard) -> None:
    _setprofile(None)  # first: the guard skips C calls made from this frame
    _threading_setprofile(None)


_GUARD_EXIT_CODE = _uninstall.__code__


def call_guarded(fn: Callable, *args: Any, forbid: tuple = (), allow: tuple = (), **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` with the call guard on; return its result.

    Raises :class:`ForbiddenCallError` if ``fn`` called something forbidden
    (even if it caught the error), :class:`GuardDisabledError` if it switched
    the guard off. ``forbid`` adds functions to the default list; ``allow``
    names default packages a task lets students use, e.g. ``("convbook",)``
    when they assemble a network from ``convbook.nn``.
    """
    if getattr(fn, "__convbook_remote__", False):  # runs in the sandboxed kernel, under the guard there
        return fn.__convbook_call__(args, kwargs, forbid, allow)
    key = (forbid, allow)
    guard = _GUARD_CACHE.get(key)
    if guard is None:
        guard = _GUARD_CACHE[key] = _Guard(forbid, allow)
        guard.exit_code = _GUARD_EXIT_CODE
    guard.violations = []
    previous = _getprofile()
    _threading_setprofile(guard)
    _setprofile(guard)
    try:
        result = fn(*args, **kwargs)
        still_on = _getprofile() is guard
    except BaseException:
        still_on = _getprofile() is guard
        _uninstall(guard)
        _restore(previous)
        if guard.violations:
            raise ForbiddenCallError(_forbidden_message(fn, guard.violations)) from None
        raise
    _uninstall(guard)
    _restore(previous)
    if guard.violations:
        raise ForbiddenCallError(_forbidden_message(fn, guard.violations))
    if not still_on:
        raise GuardDisabledError(
            f"{_name(fn)} switched the grading call guard off (sys.setprofile or similar); "
            "a function under test must not touch the profiler"
        )
    return result


def _restore(previous: Any) -> None:
    if previous is not None:
        _setprofile(previous)


def _forbidden_message(fn: Any, violations: list[str]) -> str:
    return (
        f"{_name(fn)} called {violations[0]}, which this exercise forbids: "
        "write it with plain NumPy (indexing, slicing, np.sum, np.einsum, np.pad, ... are fine)"
    )


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", repr(fn))
