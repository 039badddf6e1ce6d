"""Values as data between the trusted grader and the sandboxed kernel: JSON plus ``.npy`` files, never pickle.

Both sides use this module: the grader encodes arguments and decodes results,
the kernel decodes arguments and encodes results. What crosses:

- ``None``, ``bool``, ``int``, ``float``, ``str``: JSON values;
- tuples, lists and dicts (``str`` or ``int`` keys) of what crosses: tagged JSON;
- NumPy arrays (numbers and booleans only) and NumPy scalars: ``.npy`` files
  read back with ``allow_pickle=False``; NumPy random generators, as their state;
- anything else the kernel returns (a layer object, a function): a *handle*,
  a number the kernel keeps the object under, with its type's name;
- a function defined in a test cell's visible part, sent to the kernel as
  its source (the student sees that source anyway).

Decoding trusts nothing: sizes, nesting, file names and file types are
checked, and a violation is a :class:`WireError` (the test fails with a
clear message; the grader goes on).
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

import numpy as np

MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_ARRAY_BYTES = 256 * 1024 * 1024
MAX_ITEMS = 100_000
MAX_DEPTH = 32
_ARRAY_FILE = re.compile(r"^[A-Za-z0-9_-]{1,64}\.npy$")


class WireError(ValueError):
    """A message between grader and kernel that is malformed, too large, or not plain data."""


class Handle:
    """A reference to an object that stays in the kernel (see ``proxies.RemoteObject``)."""

    def __init__(self, number: int, type_name: str, is_callable: bool) -> None:
        self.number, self.type_name, self.is_callable = number, type_name, is_callable


class SourceFunction:
    """A test-cell function to be re-created in the kernel from its source."""

    def __init__(self, name: str, source: str) -> None:
        self.name, self.source = name, source


class Encoder:
    """Turn a value into JSON-able data, writing arrays as ``.npy`` files into ``folder``.

    ``register`` turns an object that is not plain data into a :class:`Handle`
    (the kernel side keeps it); without it such objects raise :class:`WireError`.
    ``sources`` maps a function to the source to send for it (the grader side).
    """

    def __init__(self, folder: str, prefix: str, register: Any = None, sources: Any = None) -> None:
        self.folder, self.prefix, self.register, self.sources = folder, prefix, register, sources
        self.count = 0

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        if value is None or type(value) in (bool, int, str):
            return value
        if type(value) is float:
            return {"__t": "float", "v": repr(value)}  # keeps nan, inf and every bit
        if type(value) is np.ndarray and not value.dtype.hasobject and value.dtype.kind in "biufc":
            return {"__t": "array", "file": self._save(value)}
        if isinstance(value, np.generic) and type(value).__module__ == "numpy" and value.dtype.kind in "biufc":
            return {"__t": "scalar", "file": self._save(np.asarray(value))}
        if type(value) in (tuple, list):
            return {"__t": type(value).__name__, "v": [self.encode(v, depth + 1) for v in value]}
        if type(value) is np.random.Generator:
            state = value.bit_generator.state
            return {"__t": "generator", "bit_generator": state["bit_generator"], "state": self.encode(state, depth + 1)}
        if type(value) is dict and all(type(k) in (str, int) for k in value):
            return {"__t": "dict", "v": [[k, self.encode(v, depth + 1)] for k, v in value.items()]}
        if getattr(type(value), "__convbook_remote__", False):  # a proxy: the kernel's object itself
            return {"__t": "handle", "n": object.__getattribute__(value, "_number")}
        if isinstance(value, Handle):
            return {"__t": "handle", "n": value.number, "type": value.type_name, "callable": value.is_callable}
        if self.sources is not None:
            source = self.sources(value)
            if source is not None:
                return {"__t": "function", "name": source.name, "source": source.source}
        if self.register is not None:
            handle = self.register(value)
            return {"__t": "handle", "n": handle.number, "type": handle.type_name, "callable": handle.is_callable}
        raise WireError(f"cannot send a {type(value).__name__} to the kernel")

    def _save(self, array: np.ndarray) -> str:
        self.count += 1
        name = f"{self.prefix}{self.count}.npy"
        path = os.path.join(self.folder, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as f:
            np.save(f, array, allow_pickle=False)
        return name


def read_regular_file(path: str, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a symlink) of at most ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise WireError(f"cannot open {os.path.basename(path)}: {error.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise WireError(f"{os.path.basename(path)} is not a regular file")
        if info.st_size > limit:
            raise WireError(f"{os.path.basename(path)} is {info.st_size} bytes, more than the limit of {limit}")
        return f.read(limit + 1)[:limit]


class Decoder:
    """Turn data made by :class:`Encoder` back into values; arrays are read from ``folder``.

    ``handle`` makes the object for a handle (the grader: a proxy; the kernel:
    the object it registered); ``function`` re-creates a sent function.
    """

    def __init__(self, folder: str, handle: Any, function: Any = None) -> None:
        self.folder, self.handle, self.function = folder, handle, function
        self.items = 0
        self.array_bytes = 0

    def decode(self, data: Any, depth: int = 0) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise WireError("value too large or nested too deeply")
        if data is None or type(data) in (bool, int, str):
            if type(data) is int and abs(data) > 2**256:
                raise WireError("integer too large")
            return data
        if type(data) is not dict or type(data.get("__t")) is not str:
            raise WireError("malformed value")
        tag = data["__t"]
        if tag == "float":
            return float(str(data.get("v")))
        if tag in ("array", "scalar"):
            array = self._load(data.get("file"))
            return array[()] if tag == "scalar" else array
        if tag in ("tuple", "list"):
            items = [self.decode(v, depth + 1) for v in _list(data.get("v"))]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            result = {}
            for pair in _list(data.get("v")):
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                    raise WireError("malformed dict")
                result[pair[0]] = self.decode(pair[1], depth + 1)
            return result
        if tag == "generator":
            return _generator(str(data.get("bit_generator")), self.decode(data.get("state"), depth + 1))
        if tag == "handle":
            number = data.get("n")
            if type(number) is not int:
                raise WireError("malformed handle")
            return self.handle(number, str(data.get("type", "object"))[:200], bool(data.get("callable", False)))
        if tag == "function" and self.function is not None:
            return self.function(str(data.get("name")), str(data.get("source")))
        raise WireError(f"unknown value tag {tag!r:.40}")

    def _load(self, name: Any) -> np.ndarray:
        if type(name) is not str or not _ARRAY_FILE.match(name):
            raise WireError("malformed array file name")
        raw = read_regular_file(os.path.join(self.folder, name), MAX_ARRAY_BYTES - self.array_bytes)
        self.array_bytes += len(raw)
        import io

        try:
            array = np.load(io.BytesIO(raw), allow_pickle=False)
        except Exception as error:  # noqa: BLE001 - any malformed file is the kernel's fault
            raise WireError(f"unreadable array: {error}") from None
        if type(array) is not np.ndarray or array.dtype.kind not in "biufc":
            raise WireError("not an array of numbers")
        return array


def _generator(name: str, state: Any) -> np.random.Generator:
    """A NumPy random generator in the given state (so a seeded ``rng`` argument draws the same numbers)."""
    if name not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64") or type(state) is not dict:
        raise WireError("malformed random generator")
    generator = np.random.Generator(getattr(np.random, name)())
    try:
        generator.bit_generator.state = state
    except (ValueError, TypeError, KeyError) as error:
        raise WireError(f"malformed random generator state: {error}") from None
    return generator


def _list(value: Any) -> list:
    if type(value) is not list:
        raise WireError("malformed list")
    return value


def write_json(path: str, data: Any) -> None:
    """Write ``data`` as JSON to a new file (never through an existing file or symlink)."""
    text = json.dumps(data)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def read_json(path: str) -> Any:
    """Parse a JSON file written by the other side, within :data:`MAX_JSON_BYTES`."""
    raw = read_regular_file(path, MAX_JSON_BYTES)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise WireError(f"malformed message: {error}") from None
