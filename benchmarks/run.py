"""convbook against torch CPU on realistic layers, both pinned to the same thread count.

Run with ``make bench`` (or ``python benchmarks/run.py --threads 2``). For each
layer it checks that convbook's output agrees with torch's (float32
tolerance), then times both with ``time.perf_counter``: one warm-up call, then
the fastest of ``--repeats`` calls, taking turns (the minimum: other processes on
a shared machine only add time). It prints one row per layer, then the geometric mean
and the worst of the convbook/torch time ratios, against the targets (geometric mean at most
1.5x, the depthwise layer at most 3x). The layers are shared with the book's chapter 12
(``convbook.algorithms.timing``).

numpy's BLAS is pinned with ``threadpoolctl.threadpool_limits`` and torch with
``torch.set_num_threads``. The header names the BLAS kernel threadpoolctl
reports: with ``OPENBLAS_CORETYPE`` set (as it is on some machines here)
OpenBLAS runs an older, slower kernel than it would pick by itself.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as torch_f
from threadpoolctl import threadpool_info, threadpool_limits

import convbook.functional as cb_f
from convbook.algorithms.timing import Layer, benchmark_layers, best_seconds

#: Targets: convbook at most this many times torch's time, as a geometric mean over the layers ...
TARGET = 1.5
#: ... and on the depthwise 3x3 layer (MobileNet's), the one numpy's matrix products help least.
DEPTHWISE_TARGET = 3.0


def layers(batch: int) -> list[Layer]:
    """The twelve layers (shared with the book's chapter 12)."""
    return benchmark_layers(batch)


def best_ms(fns: list[Callable[[], object]], repeats: int) -> list[float]:
    """Fastest of ``repeats`` timed calls of each function, after one warm-up call each, taking turns."""
    return [1000 * t for t in best_seconds(fns, repeats)]


def blas_header() -> str:
    rows = []
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            rows.append(
                f"{lib.get('internal_api')} {lib.get('version')} kernel={lib.get('architecture')} "
                f"threads={lib.get('num_threads')} "
                f"({os.path.basename(lib.get('filepath', ''))})"
            )
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    note = f"OPENBLAS_CORETYPE={coretype} (forces that kernel)" if coretype else "OPENBLAS_CORETYPE unset"
    return "; ".join(rows) + f"; {note}"


def run(threads: int, batch: int, repeats: int, only: str | None) -> int:
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    print(f"convbook vs torch {torch.__version__} CPU, float32, batch {batch}, {threads} thread(s), "
          f"best of {repeats} after a warm-up")
    print(f"numpy {np.__version__} BLAS: {blas_header()}")
    print(f"torch threads: {torch.get_num_threads()}")
    header = f"{'layer':<22} {'shapes':<44} {'convbook ms':>11} {'torch ms':>9} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    ratios = []
    for layer in layers(batch):
        if only and only not in layer.name:
            continue
        kwargs = layer.kwargs
        args = layer.arrays(rng)
        torch_args = [torch.from_numpy(a) for a in args]
        cb_fn = getattr(cb_f, layer.op)
        torch_fn = getattr(torch_f, layer.op)

        def ours(cb_fn=cb_fn, args=args, kwargs=kwargs):
            return cb_fn(*args, **kwargs)

        def theirs(torch_fn=torch_fn, torch_args=torch_args, kwargs=kwargs):
            with torch.no_grad():
                return torch_fn(*torch_args, **kwargs)

        got, want = ours(), theirs().numpy()
        assert got.dtype == want.dtype == np.float32, (layer.name, got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=layer.name)
        ours_ms, torch_ms = best_ms([ours, theirs], repeats)
        ratio = ours_ms / torch_ms
        ratios.append((ratio, layer.name))
        print(f"{layer.name:<22} {layer.shapes(want.shape):<44} {ours_ms:>11.2f} {torch_ms:>9.2f} {ratio:>6.2f}x",
              flush=True)
    print("-" * len(header))
    geomean = math.exp(statistics.fmean(math.log(r) for r, _ in ratios))
    worst, worst_name = max(ratios)
    verdict = "meets" if geomean <= TARGET else "MISSES"
    print(f"geometric mean ratio: {geomean:.2f}x ({verdict} the {TARGET:g}x target)")
    print(f"worst: {worst_name} at {worst:.2f}x")
    for ratio, name in ratios:
        if name.startswith("depthwise"):
            verdict = "meets" if ratio <= DEPTHWISE_TARGET else "MISSES"
            print(f"depthwise 3x3: {ratio:.2f}x ({verdict} the {DEPTHWISE_TARGET:g}x target)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for numpy's BLAS and torch (default 1)")
    parser.add_argument("--batch", type=int, default=2, help="batch size (default 2)")
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per layer and library (default 7)")
    parser.add_argument("--only", help="run only the layers whose name contains this")
    opts = parser.parse_args(argv)
    with threadpool_limits(limits=opts.threads):
        return run(opts.threads, opts.batch, opts.repeats, opts.only)


if __name__ == "__main__":
    sys.exit(main())
