"""Wrong variants of ``channel_shuffle`` (05): the inverse shuffle, no shuffle, the wrong axis."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import misconception, signature

signature(("channel_shuffle",), "x", "groups")


@misconception("channel_shuffle", says="the inverse shuffle: the channels read as {groups} columns instead of "
               "{groups} rows (reshape (N, C / groups, groups) before swapping)",
               truth="the channels as groups rows of C / groups, written out column by column", chapter=5)
def _shuffle_inverse(p: dict) -> Any:
    x, g = np.asarray(p["x"]), int(p["groups"])
    n, c, *spatial = x.shape
    if g in (1, c):
        return None  # the shuffle and its inverse agree
    return x.reshape(n, c // g, g, *spatial).swapaxes(1, 2).reshape(x.shape)


@misconception("channel_shuffle", says="the input unchanged (a reshape without the swap keeps the order)",
               truth="channel i * groups + j = input channel j * (C / groups) + i", chapter=5)
def _shuffle_none(p: dict) -> Any:
    x, g = np.asarray(p["x"]), int(p["groups"])
    return None if g in (1, x.shape[1]) else x


@misconception("channel_shuffle", says="a shuffle of the last axis instead of the channels",
               truth="the shuffle of axis 1, the channels", chapter=5)
def _shuffle_last_axis(p: dict) -> Any:
    x, g = np.asarray(p["x"]), int(p["groups"])
    if x.ndim < 3 or x.shape[-1] % g or g in (1, x.shape[-1]):
        return None
    *rest, last = x.shape
    return x.reshape(*rest, g, last // g).swapaxes(-1, -2).reshape(x.shape)
