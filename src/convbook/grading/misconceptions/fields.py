"""Wrong variants of the receptive-field and overlap exercises: ``receptive_field`` (03), ``overlap_counts`` (08)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import misconception, signature
from ._common import tensor, torch_functional

# --------------------------------------------------------------------------- receptive_field (03)

signature(("receptive_field",), "layers")


def _field(layers: Any, jump_first: bool = False, size_jump: str = "previous", dilation: bool = True,
           taps: str = "k - 1", start_rule: str = "minus", accumulate: bool = True) -> tuple[int, int, int]:
    """(size, jump, start) after a stack of (kernel_size, stride, padding, dilation) layers, with a mistake.

    ``jump_first``: the jump updated before the size and start use it; ``size_jump``: the jump the size grows
    with ("previous", "current" = j_{l-1} s_l, "none" = 1); ``taps``: "k - 1" (right) or "k";
    ``start_rule``: "minus" (right), "plus", "ignored", "unscaled" (p, not p j_{l-1}); ``accumulate=False``:
    the jump is the last stride alone.
    """
    size, jump, start = 1, 1, 0
    for layer in layers:
        k, s, p, d = (int(v) for v in layer)
        if jump_first:
            jump = jump * s if accumulate else s
        before = jump
        grow = {"previous": before, "current": before * s, "none": 1}[size_jump]
        size += ((k - 1) if taps == "k - 1" else k) * (d if dilation else 1) * grow
        start += {"minus": -p * before, "plus": p * before, "ignored": 0, "unscaled": -p}[start_rule]
        if not jump_first:
            jump = jump * s if accumulate else s
    return (size, jump, start)


TRUTH = "r_l = r_(l-1) + (k_l - 1) d_l j_(l-1), j_l = j_(l-1) s_l, start_l = start_(l-1) - p_l j_(l-1)"


@misconception("receptive_field", says="the field with the jump updated before it is used (j_l instead of j_(l-1))",
               truth="each layer's size and start with the PREVIOUS layer's jump: " + TRUTH, chapter=3)
def _field_jump_first(p: dict) -> Any:
    return _field(p["layers"], jump_first=True)


@misconception("receptive_field", says="the field grown with the layer's own jump j_l = j_(l-1) s_l",
               truth="the taps of layer l are d_l j_(l-1) inputs apart: " + TRUTH, chapter=3)
def _field_current_jump(p: dict) -> Any:
    return _field(p["layers"], size_jump="current")


@misconception("receptive_field", says="the field without dilation (taps j_(l-1) apart)",
               truth="dilated taps d_l j_(l-1) inputs apart: " + TRUTH, chapter=3)
def _field_undilated(p: dict) -> Any:
    return _field(p["layers"], dilation=False)


@misconception("receptive_field", says="the field grown by (k - 1)·d per layer, without the jump",
               truth="after a stride the taps reach j_(l-1) times further: " + TRUTH, chapter=3)
def _field_no_jump(p: dict) -> Any:
    return _field(p["layers"], size_jump="none")


@misconception("receptive_field", says="the field with k taps added per layer (k, not k - 1)",
               truth="a kernel of k taps adds k - 1 gaps to the field: " + TRUTH, chapter=3)
def _field_k_taps(p: dict) -> Any:
    return _field(p["layers"], taps="k")


@misconception("receptive_field", says="the field counted from r_0 = 0 (its size one too small)",
               truth="r_0 = 1: the input itself is one position wide; " + TRUTH, chapter=3)
def _field_size_minus_one(p: dict) -> Any:
    size, jump, start = _field(p["layers"])
    return (size - 1, jump, start)


@misconception("receptive_field", says="a start moved right by padding (start + p_l j_(l-1))",
               truth="padding puts the field's start p_l j_(l-1) inputs further LEFT: " + TRUTH, chapter=3)
def _field_start_plus(p: dict) -> Any:
    return _field(p["layers"], start_rule="plus")


@misconception("receptive_field", says="a start of 0 (padding ignored)",
               truth="each padded layer moves the start left by p_l j_(l-1): " + TRUTH, chapter=3)
def _field_start_ignored(p: dict) -> Any:
    return _field(p["layers"], start_rule="ignored")


@misconception("receptive_field", says="a start moved by p_l, not p_l j_(l-1) (padding not scaled by the jump)",
               truth="layer l's padding is p_l positions of layer l - 1, p_l j_(l-1) inputs: " + TRUTH, chapter=3)
def _field_start_unscaled(p: dict) -> Any:
    return _field(p["layers"], start_rule="unscaled")


@misconception("receptive_field", says="the jump of the last stride alone (strides not multiplied)",
               truth="j_l = j_(l-1) s_l, the product of all strides so far: " + TRUTH, chapter=3)
def _field_jump_not_accumulated(p: dict) -> Any:
    return _field(p["layers"], accumulate=False)


@misconception("receptive_field", says="the centre of output 0's field as the start",
               truth="start = the input position where output 0's field BEGINS (its left edge)", chapter=3)
def _field_centre(p: dict) -> Any:
    size, jump, start = _field(p["layers"])
    return (size, jump, start + (size - 1) // 2)


# --------------------------------------------------------------------------- overlap_counts (08)

signature(("overlap_counts",), "length", "kernel_size", "stride", ("padding", 0))


def _counts(length: int, kernel_size: int, stride: int, padding: int = 0) -> np.ndarray:
    """torch's conv_transpose1d of ``length`` ones by ``kernel_size`` ones, as ints."""
    F = torch_functional()
    out = F.conv_transpose1d(tensor(np.ones((1, 1, length))), tensor(np.ones((1, 1, kernel_size))),
                             stride=stride, padding=padding)
    return out[0, 0].numpy().round().astype(np.int64)


def _stamped(full_length: int, starts: Any, width: int, padding: int) -> np.ndarray:
    """Stamps of ``width`` ones at ``starts`` into ``full_length`` zeros (cut at the end), ``padding`` cropped."""
    full = np.zeros(max(full_length, 0), dtype=np.int64)
    for start in starts:
        full[start:start + width] += 1
    return full[padding:len(full) - padding]


@misconception("overlap_counts", says="the full output, not cropped by padding",
               truth="the full counts with padding={padding} positions cropped from EACH side", chapter=8)
def _overlap_uncropped(p: dict) -> Any:
    if not p["padding"]:
        return None
    return _counts(p["length"], p["kernel_size"], p["stride"])


@misconception("overlap_counts", says="the full output cropped by 2·padding at the start only",
               truth="padding={padding} positions cropped from EACH side", chapter=8)
def _overlap_cropped_left(p: dict) -> Any:
    if not p["padding"]:
        return None
    return _counts(p["length"], p["kernel_size"], p["stride"])[2 * p["padding"]:]


@misconception("overlap_counts", says="an empty array: full[p:-p] with padding=0 (-0 is 0)",
               truth="the whole full output when padding=0: slice up to len(full) - p", chapter=8)
def _overlap_minus_zero(p: dict) -> Any:
    if p["padding"]:
        return None
    return np.zeros(0, dtype=np.int64)


@misconception("overlap_counts", says="stamps 1 apart (stride ignored when placing them)",
               truth="input i stamps the kernel at output i·stride", chapter=8)
def _overlap_unstrided(p: dict) -> Any:
    n, k, s, q = p["length"], p["kernel_size"], p["stride"], p["padding"]
    if s == 1:
        return None
    return _stamped((n - 1) * s + k, range(n), k, q)


@misconception("overlap_counts", says="stamps k + 1 wide (an off-by-one in the stamp's end)",
               truth="each stamp covers kernel_size={kernel_size} outputs, i·s to i·s + k - 1", chapter=8)
def _overlap_wide_stamps(p: dict) -> Any:
    n, k, s, q = p["length"], p["kernel_size"], p["stride"], p["padding"]
    return _stamped((n - 1) * s + k, [i * s for i in range(n)], k + 1, q)


@misconception("overlap_counts", says="a full output one position short ((length - 1)·s + k - 1)",
               truth="a full output of (length - 1)·stride + kernel_size positions", chapter=8)
def _overlap_short(p: dict) -> Any:
    n, k, s, q = p["length"], p["kernel_size"], p["stride"], p["padding"]
    return _stamped((n - 1) * s + k - 1, [i * s for i in range(n)], k, q)


@misconception("overlap_counts", says="a full output of length·stride positions",
               truth="a full output of (length - 1)·stride + kernel_size positions", chapter=8)
def _overlap_length_times_stride(p: dict) -> Any:
    n, k, s, q = p["length"], p["kernel_size"], p["stride"], p["padding"]
    if k == s:
        return None
    return _stamped(n * s, [i * s for i in range(n)], k, q)


@misconception("overlap_counts", says="the window sums of an ordinary convolution (conv1d), not a transposed one",
               truth="the transposed convolution: inputs scattered onto the output, stamps stride apart", chapter=8)
def _overlap_forward(p: dict) -> Any:
    F = torch_functional()
    n, k, s, q = p["length"], p["kernel_size"], p["stride"], p["padding"]
    out = F.conv1d(tensor(np.ones((1, 1, n))), tensor(np.ones((1, 1, k))), stride=s, padding=q)
    return out[0, 0].numpy().round().astype(np.int64)
