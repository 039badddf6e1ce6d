"""The data that crosses between the trusted grader and the sandboxed kernel, and how test cells find
the student's names: round trips, and answers a hostile kernel could write."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convbook.grading import wire
from convbook.grading.proxies import bound_names, free_names, student_exception


def round_trip(value, tmp_path, register=None):
    encoded = wire.Encoder(str(tmp_path), "x", register=register).encode(value)
    text = json.dumps(encoded)
    return wire.Decoder(str(tmp_path), handle=lambda n, t, c: ("handle", n, t, c)).decode(json.loads(text))


def same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        return type(a) is type(b) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return type(a) is type(b) and a == b


arrays = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.uint8, np.bool_, np.complex128]),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
)
leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10) | arrays
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3)
    | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=3),
    max_leaves=8,
)


@given(values)
def test_plain_data_round_trips_exactly(tmp_path_factory, value):
    folder = tmp_path_factory.mktemp("wire")
    assert same(value, round_trip(value, folder))


def test_numpy_scalars_and_generators_keep_their_type(tmp_path):
    assert same(np.float32(1.5), round_trip(np.float32(1.5), tmp_path))
    rng = np.random.default_rng(7)
    copy = round_trip(rng, tmp_path)
    assert isinstance(copy, np.random.Generator) and copy.integers(1 << 30) == rng.integers(1 << 30)


def test_objects_become_handles_only_where_allowed(tmp_path):
    with pytest.raises(wire.WireError):
        round_trip(object(), tmp_path)
    kept = []

    def register(value):
        kept.append(value)
        return wire.Handle(len(kept), "builtins.object", False)

    assert round_trip([object()], tmp_path, register) == [("handle", 1, "builtins.object", False)]
    with pytest.raises(wire.WireError):  # object arrays never cross as data
        round_trip(np.array([object()]), tmp_path)


def decode(folder, data):
    return wire.Decoder(str(folder), handle=lambda n, t, c: n).decode(data)


def test_answers_that_point_outside_are_refused(tmp_path):
    secret = tmp_path / "secret.npy"
    np.save(secret, np.arange(3))
    answers = tmp_path / "answers"
    answers.mkdir()
    os.symlink(secret, answers / "a1.npy")
    with pytest.raises(wire.WireError, match="cannot open"):
        decode(answers, {"__t": "array", "file": "a1.npy"})
    for name in ("../secret.npy", "/etc/passwd", "a b.npy", 3):
        with pytest.raises(wire.WireError, match="file name"):
            decode(answers, {"__t": "array", "file": name})
    os.mkfifo(answers / "a2.npy")
    with pytest.raises(wire.WireError, match="not a regular file"):
        decode(answers, {"__t": "array", "file": "a2.npy"})


def test_malformed_or_oversized_answers_are_refused(tmp_path):
    bad = [
        {"__t": "nope"},
        {"__t": "dict", "v": [[["not", "a", "key"], 1]]},
        {"__t": "list", "v": "not a list"},
        {"__t": "handle", "n": "1"},
        {"no": "tag"},
        10**100,
    ]
    for data in bad:
        with pytest.raises(wire.WireError):
            decode(tmp_path, data)
    deep = 0
    for _ in range(100):
        deep = {"__t": "list", "v": [deep]}
    with pytest.raises(wire.WireError):
        decode(tmp_path, deep)
    (tmp_path / "a1.npy").write_bytes(b"\x93NUMPY not really")
    with pytest.raises(wire.WireError, match="unreadable"):
        decode(tmp_path, {"__t": "array", "file": "a1.npy"})
    np.save(tmp_path / "a2.npy", np.array(["text"]))
    with pytest.raises(wire.WireError, match="not an array of numbers"):
        decode(tmp_path, {"__t": "array", "file": "a2.npy"})
    (tmp_path / "big.json").write_text("[" * 10 + "]" * 10 + " " * (wire.MAX_JSON_BYTES + 1))
    with pytest.raises(wire.WireError):
        wire.read_json(str(tmp_path / "big.json"))


def test_requests_are_never_written_through_an_existing_file(tmp_path):
    target = tmp_path / "config.py"
    target.write_text("original")
    os.symlink(target, tmp_path / "r1.json")
    with pytest.raises(FileExistsError):
        wire.write_json(str(tmp_path / "r1.json"), {"op": "x"})
    assert target.read_text() == "original"


def test_free_names_are_what_the_cell_expects_the_notebook_to_define():
    source = (
        "from convbook import grading\n"
        "reference = grading.torch_reference('conv2d')\n"
        "def pair(a):\n    return softmax_cross_entropy(a, target)\n"
        "x = np.arange(3)\n"
        "grading.check(conv2d, reference, x, [y for y in range(len(x))])\n"
    )
    assert free_names(source) == {"softmax_cross_entropy", "target", "np", "conv2d"}
    assert bound_names(source) == {"grading", "reference", "pair", "x"}


def test_student_exceptions_are_rebuilt_from_data_only():
    assert type(student_exception("NotImplementedError", "")) is NotImplementedError
    assert type(student_exception("ValueError", "bad stride")) is ValueError
    for name in ("SystemExit", "KeyboardInterrupt", "GeneratorExit", "MyError", "__import__"):
        error = student_exception(name, "boom")
        assert isinstance(error, Exception) and not isinstance(error, (SystemExit, KeyboardInterrupt))
