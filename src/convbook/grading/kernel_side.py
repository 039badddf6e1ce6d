"""The kernel's side of a proxy call: run one request from the grader and write the answer as data.

The trusted grader sends the kernel one line of code per request::

    __import__("convbook.grading.kernel_side", fromlist=["serve"]).serve(REQUEST, ANSWER_DIR, N)

``serve`` reads the request (JSON and ``.npy`` files in a folder the kernel
can only read), does what it asks with the student's objects and writes the
answer into a folder the kernel can write. This code runs inside the
sandbox, so a student can change it; that only changes the data the grader
receives, which the grader checks like any other answer. Needs only NumPy.
"""

from __future__ import annotations

import builtins
import importlib
import os
from typing import Any

from .guard import call_guarded
from .wire import Decoder, Encoder, Handle, write_json

_objects: dict[int, Any] = {}


def _register(value: Any) -> Handle:
    number = len(_objects) + 1
    _objects[number] = value
    kind = type(value)
    return Handle(number, f"{kind.__module__}.{kind.__qualname__}", callable(value))


def _lookup(number: int, type_name: str, is_callable: bool) -> Any:
    return _objects[number]


def _function_from_source(name: str, source: str) -> Any:
    import numpy as np

    namespace: dict[str, Any] = {"np": np, "__builtins__": builtins}
    exec(compile(source, f"<test function {name}>", "exec"), namespace)  # noqa: S102 - the instructor's visible code
    return namespace[name]


def _resolve_dotted(path: str) -> Any:
    module_name, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _user_namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def _perform(request: dict, args: Any) -> Any:
    op = request["op"]
    if op == "resolve":
        namespace = _user_namespace()
        name = request["name"]
        return ("found", namespace[name]) if name in namespace else ("missing", None)
    if op == "construct":
        return _resolve_dotted(request["path"])(*args[0], **args[1])
    target = _objects[request["target"]]
    if op == "call" and not request.get("guard", True):  # a plain call in a test, like obj.method()
        return target(*args[0], **args[1])
    if op == "call":
        forbid = tuple(_resolve_dotted(p) for p in request.get("forbid", []))
        allow = tuple(request.get("allow", []))
        return call_guarded(target, *args[0], forbid=forbid, allow=allow, **args[1])
    if op == "getattr":  # a dict or list attribute stays in the kernel: changing it changes the object
        value = getattr(target, request["name"])
        return _register(value) if type(value) in (dict, list) else value
    if op == "setattr":
        setattr(target, request["name"], args)
        return None
    if op == "getitem":
        return target[args]
    if op == "setitem":
        target[args[0]] = args[1]
        return None
    if op == "len":
        return len(target)
    if op == "contains":
        return args in target
    if op == "list":
        return list(target)
    raise ValueError(f"unknown request {op!r}")


def serve(request_path: str, answer_dir: str, number: int) -> None:
    """Perform one request of the grader and write ``a<number>.json`` (plus arrays) into ``answer_dir``."""
    from .wire import read_json

    request_dir = os.path.dirname(request_path)
    try:
        request = read_json(request_path)
        decoder = Decoder(request_dir, _lookup, _function_from_source)
        args = decoder.decode(request.get("args"))
        result = _perform(request, args)
        answer = {"ok": Encoder(answer_dir, f"a{number}_", register=_register).encode(result)}
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are the student's too
        answer = {"error": {"type": type(error).__name__, "message": str(error)[:4000]}}
    write_json(os.path.join(answer_dir, f"a{number}.json"), answer)
