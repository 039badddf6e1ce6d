"""The package's public surface: torch's names and signatures, type hints and
docstrings on every public function."""

import ast
import importlib
import inspect
import pkgutil

import pytest
import torch.nn.functional as TF

import convbook.functional as F

MODULES = [
    "convbook.functional",
    "convbook.shapes",
    "convbook.naive",
    "convbook.grading",
    "convbook.grad",
    "convbook.nn",
    "convbook.summary",
    "convbook.upsampling",
    "convbook.algorithms",
    "convbook.grading.wire",
    "convbook.grading.proxies",
    "convbook.grading.sandbox",
    *(f"convbook.viz.{m.name}" for m in pkgutil.iter_modules(importlib.import_module("convbook.viz").__path__)),
]


def public_functions():
    for name in MODULES:
        module = importlib.import_module(name)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for attr in names:
            value = getattr(module, attr)
            if inspect.isfunction(value) and value.__module__.startswith(name.rsplit(".", 1)[0]):
                yield f"{name}.{attr}", value


@pytest.mark.parametrize(("name", "function"), list(public_functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_functions_have_type_hints_and_docstrings(name, function):
    signature = inspect.signature(function)
    missing = [p for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not missing, f"{name}: parameters without type hints: {[p.name for p in missing]}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type hint"
    assert function.__doc__ and len(function.__doc__.strip()) > 20, f"{name}: no docstring"


def torch_parameters(name: str) -> dict:
    """torch's parameter names and defaults, also for C builtins (read from their docstring)."""
    function = getattr(TF, name)
    try:
        parameters = inspect.signature(function).parameters
        if "args" in parameters:  # boolean_dispatch wrapper of max_pool*d
            parameters = inspect.signature(getattr(TF, name + "_with_indices")).parameters
        return {p.name: p.default for p in parameters.values()}
    except ValueError:
        header = function.__doc__.strip().splitlines()[0].split("->")[0]
        tree = ast.parse(f"def {header}: pass").body[0].args
        defaults = [None] * (len(tree.args) - len(tree.defaults)) + [ast.literal_eval(d) for d in tree.defaults]
        return {a.arg: d for a, d in zip(tree.args, defaults)}


@pytest.mark.parametrize("name", F.__all__)
def test_same_parameters_and_defaults_as_torch(name):
    ours = {p.name: p.default for p in inspect.signature(getattr(F, name)).parameters.values()}
    ours = {k: (None if v is inspect.Parameter.empty else v) for k, v in ours.items()}
    theirs = {k: (None if v is inspect.Parameter.empty else v) for k, v in torch_parameters(name).items()}
    assert list(ours) == list(theirs), f"{name}: parameters {list(ours)} != torch {list(theirs)}"
    assert ours == theirs, f"{name}: defaults {ours} != torch {theirs}"
    assert "torch.nn.functional." + name in getattr(F, name).__doc__, f"{name}: docstring should name its torch twin"
