"""Every functional and every NumPy dtype: convbook refuses exactly the
dtypes torch's CPU kernels refuse, and keeps the dtype of those it accepts."""

import numpy as np
import pytest
import torch.nn.functional as TF
from oracle import agree

import convbook.functional as F

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]


def small(shape, dtype):
    return (np.arange(np.prod(shape)) % 3).reshape(shape).astype(dtype)


CALLS = {
    "conv1d": lambda d: ((small((1, 2, 6), d), small((2, 2, 3), d), small((2,), d)), {}),
    "conv2d": lambda d: ((small((1, 2, 5, 5), d), small((2, 1, 3, 3), d)), {"groups": 2}),
    "conv3d": lambda d: ((small((2, 4, 4, 4), d), small((1, 2, 2, 2, 2), d)), {}),
    "conv_transpose1d": lambda d: ((small((1, 2, 4), d), small((2, 1, 3), d)), {"stride": 2}),
    "conv_transpose2d": lambda d: ((small((1, 2, 3, 3), d), small((2, 1, 3, 3), d)), {"groups": 2}),
    "conv_transpose3d": lambda d: ((small((1, 1, 2, 2, 2), d), small((1, 1, 2, 2, 2), d)), {}),
    "max_pool1d": lambda d: ((small((1, 2, 6), d), 2), {}),
    "max_pool2d": lambda d: ((small((1, 2, 5, 5), d), 2), {"return_indices": True}),
    "max_pool3d": lambda d: ((small((1, 4, 4, 4), d), 2), {}),
    "avg_pool1d": lambda d: ((small((1, 2, 6), d), 2), {}),
    "avg_pool2d": lambda d: ((small((1, 2, 5, 5), d), 3), {"padding": 1}),
    "avg_pool3d": lambda d: ((small((1, 4, 4, 4), d), 2), {}),
    "max_unpool1d": lambda d: ((small((1, 1, 2), d), np.array([[[0, 3]]])), {"kernel_size": 2}),
    "max_unpool2d": lambda d: ((small((1, 1, 1, 2), d), np.array([[[[0, 3]]]])), {"kernel_size": 2}),
    "max_unpool3d": lambda d: ((small((1, 1, 1, 1, 1), d), np.array([[[[[5]]]]])), {"kernel_size": 2}),
    "pad": lambda d: ((small((1, 2, 3), d), (1, 2)), {"mode": "reflect"}),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_dtype_support_and_result_dtype(name, dtype):
    args, kwargs = CALLS[name](dtype)
    agree(getattr(F, name), getattr(TF, name), args, kwargs)


def test_mixed_dtypes_are_refused_like_torch():
    x = np.ones((1, 1, 5, 5), np.float32)
    agree(F.conv2d, TF.conv2d, (x, np.ones((1, 1, 3, 3))), {})
    agree(F.conv2d, TF.conv2d, (x, np.ones((1, 1, 3, 3), np.float32), np.ones(1)), {})
    agree(F.conv_transpose2d, TF.conv_transpose2d, (x, np.ones((1, 1, 3, 3))), {})
