"""The grader's stand-ins for what the student defined: every use becomes a request to the kernel.

A test cell runs in the trusted grader. Each name it uses that the student
defined (found with :func:`free_names`, looked up in the kernel) is bound to
the value's data (arrays, numbers, tuples...) or to a :class:`RemoteObject`
when the value is not plain data (a function, a layer). Calling a
``RemoteObject``, reading or setting its attributes or items, sends a request
through a :class:`KernelLink` and brings the answer back as data, or as
another ``RemoteObject``.
"""

from __future__ import annotations

import builtins
import symtable
from typing import Any, Protocol


class KernelLink(Protocol):
    """How proxies reach the kernel (the grader implements it)."""

    def request(self, op: str, args: Any = None, **fields: Any) -> Any: ...


current_link: KernelLink | None = None  # the notebook being graded (set by the trusted grader)


class StudentError(Exception):
    """An exception raised by the student's code whose type is not a built-in one."""


def student_exception(type_name: str, message: str) -> Exception:
    """The exception the student's code raised, rebuilt from its type's name and message (data only)."""
    from .guard import ForbiddenCallError, GuardDisabledError

    special = {"ForbiddenCallError": ForbiddenCallError, "GuardDisabledError": GuardDisabledError}
    kind = special.get(type_name) or getattr(builtins, type_name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(message)
        except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError needs more arguments
            pass
    error = StudentError(message)
    error.student_type = type_name
    return error


def _convbook_class(type_name: str) -> type | None:
    """The grader's own class for a kernel object of a ``convbook.*`` type (or a dict or list attribute),
    so ``isinstance`` checks in test cells work on proxies."""
    if type_name in ("builtins.dict", "builtins.list"):
        return dict if type_name == "builtins.dict" else list
    if not type_name.startswith("convbook.") or type_name.startswith("convbook.grading"):
        return None
    module_name, _, class_name = type_name.rpartition(".")
    try:
        import importlib

        kind = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return None
    return kind if isinstance(kind, type) else None


class RemoteObject:
    """An object that lives in the student's kernel, used from the grader through requests."""

    __convbook_remote__ = True

    def __init__(self, link: KernelLink, number: int, type_name: str, is_callable: bool, name: str = "") -> None:
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type_name", type_name)
        object.__setattr__(self, "_is_callable", is_callable)
        object.__setattr__(self, "__name__", name or type_name.rpartition(".")[2])

    @property
    def __class__(self) -> type:  # isinstance(proxy, convbook.nn.Conv2d) works for a student's Conv2d
        return _convbook_class(object.__getattribute__(self, "_type_name")) or RemoteObject

    def _request(self, op: str, args: Any = None, **fields: Any) -> Any:
        return self._link.request(op, args, target=self._number, **fields)

    def __convbook_call__(self, args: tuple, kwargs: dict, forbid: tuple = (), allow: tuple = ()) -> Any:
        """Call the object in the kernel under the kernel's call guard (``forbid``/``allow`` as there)."""
        names = [f"{getattr(f, '__module__', '')}.{getattr(f, '__qualname__', '')}" for f in forbid]
        return self._request("call", (tuple(args), dict(kwargs)), forbid=names, allow=list(allow))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """A plain call, unguarded as it would be in the kernel (``grading.call_guarded`` adds the guard)."""
        return self._request("call", (tuple(args), dict(kwargs)), guard=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._request("getattr", None, name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._request("setattr", value, name=name)

    def __getitem__(self, key: Any) -> Any:
        return self._request("getitem", key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._request("setitem", (key, value))

    def __len__(self) -> int:
        length = self._request("len")
        if type(length) is not int or length < 0:
            raise TypeError("the student's object reported an invalid length")
        return length

    def __iter__(self) -> Any:
        items = self._request("list")
        if type(items) is not list:
            raise TypeError("the student's object did not list its items")
        return iter(items)

    def __contains__(self, item: Any) -> bool:
        return bool(self._request("contains", item))

    def __repr__(self) -> str:
        return f"<the student's {self._type_name} object>"

    @property
    def student_type_name(self) -> str:
        """The type of the object in the kernel, as the kernel reported it."""
        return self._type_name


def is_remote(value: Any) -> bool:
    """Whether ``value`` is a proxy for an object in the student's kernel."""
    return type(value) is RemoteObject


def free_names(source: str) -> set[str]:
    """Global names a cell reads without binding them itself (what it expects the notebook to define)."""
    table = symtable.symtable(source, "<test cell>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    used: set[str] = set()

    def visit(t: symtable.SymbolTable) -> None:
        top_level = t.get_type() == "module"
        for symbol in t.get_symbols():
            if symbol.is_referenced() and (top_level or symbol.is_global()):
                used.add(symbol.get_name())
        for child in t.get_children():
            visit(child)

    visit(table)
    return {name for name in used - bound if not hasattr(builtins, name)}


def bound_names(source: str) -> set[str]:
    """Names a cell binds at its top level (kept for the next test cells, as a kernel would)."""
    table = symtable.symtable(source, "<test cell>", "exec")
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
