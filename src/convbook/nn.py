"""Layers with a forward and a backward pass: a CNN built from convbook parts.

Each layer mirrors a ``torch.nn`` module of the same name and computes its
forward pass with ``convbook.functional`` and its backward pass with
``convbook.grad``. A layer keeps what its backward pass needs from the last
``forward`` call; ``backward(grad_output)`` returns the gradient with respect
to the layer's input and **stores** (overwrites, torch accumulates) the
gradients of its parameters in ``layer.grads``, keyed like ``layer.params``
(``"weight"``, ``"bias"``).

``Sequential`` names the parameters of its layers ``"0.weight"``,
``"0.bias"``, ... exactly like torch's ``nn.Sequential.state_dict()``, so
weights copy between the two with ``load_state_dict``. ``SGD`` updates the
parameters in place, with torch's momentum rule.

Parameters are initialised as torch initialises them (``reset_parameters``):
weights with ``kaiming_uniform_(a=sqrt(5))``, which is the uniform
distribution on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, and biases uniformly
on the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np

from . import functional as F
from . import grad as G
from ._arguments import IntOrTuple, ntuple, require
from .functional.conv import resolve_padding

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")

__all__ = [
    "Module",
    "Conv2d",
    "MaxPool2d",
    "AvgPool2d",
    "GlobalAvgPool2d",
    "ReLU",
    "Flatten",
    "Linear",
    "Sequential",
    "SoftmaxCrossEntropy",
    "SGD",
    "kaiming_uniform_bound",
    "as_generator",
]


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """A NumPy generator from a generator, a seed, or ``None`` (fresh entropy)."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def kaiming_uniform_bound(fan_in: int, a: float = math.sqrt(5)) -> float:
    """The bound of ``torch.nn.init.kaiming_uniform_(w, a)`` for a leaky-ReLU gain.

    ``gain = sqrt(2 / (1 + a^2))``, ``std = gain / sqrt(fan_in)`` and the
    bound is ``sqrt(3) * std``; torch's default ``a = sqrt(5)`` gives
    ``1 / sqrt(fan_in)``.
    """
    gain = math.sqrt(2.0 / (1 + a * a))
    return math.sqrt(3.0) * gain / math.sqrt(fan_in)


class Module:
    """Base class: ``params`` and ``grads`` dicts, ``forward`` and ``backward``."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray | None] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The layer's output for input ``x``; remembers what backward needs."""
        raise NotImplementedError

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """The gradient with respect to the last input; stores parameter gradients."""
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def named_parameters(self) -> dict[str, np.ndarray]:
        """Parameters by name (the arrays themselves, not copies)."""
        return dict(self.params)

    def named_grads(self) -> dict[str, np.ndarray | None]:
        """Gradients by parameter name; ``None`` before the first backward."""
        return dict(self.grads)

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Copy values (NumPy arrays or torch tensors) into the parameters, in place."""
        own = self.named_parameters()
        require(set(state) == set(own), f"state keys {sorted(state)} differ from parameters {sorted(own)}", KeyError)
        for name, value in state.items():
            value = np.asarray(value.detach().numpy() if hasattr(value, "detach") else value)
            require(value.shape == own[name].shape, f"{name}: shape {value.shape} != {own[name].shape}", ValueError)
            own[name][...] = value

    def num_parameters(self) -> int:
        """How many numbers the layer learns."""
        return sum(p.size for p in self.named_parameters().values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        """The constructor arguments shown by ``repr``."""
        return ""


def uniform(rng: np.random.Generator, bound: float, shape: tuple[int, ...]) -> np.ndarray:
    """``U(-bound, bound)`` samples as float32, like torch's ``uniform_``."""
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


class Conv2d(Module):
    """2D convolution layer, like ``torch.nn.Conv2d`` (same arguments and defaults).

    ``padding_mode`` other than ``'zeros'`` pads the input with
    ``convbook.functional.pad`` in that mode and then convolves with no
    padding, as torch does.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: IntOrTuple | str = 0,
        dilation: IntOrTuple = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        rng: np.random.Generator | int | None = None,
    ) -> None:
        super().__init__()
        require(groups > 0, f"groups must be a positive integer, got groups={groups}", ValueError)
        require(
            in_channels % groups == 0, f"in_channels ({in_channels}) must be divisible by groups ({groups})", ValueError
        )
        require(
            out_channels % groups == 0,
            f"out_channels ({out_channels}) must be divisible by groups ({groups})",
            ValueError,
        )
        require(
            padding_mode in PADDING_MODES,
            f"padding_mode must be one of {PADDING_MODES}, but got padding_mode={padding_mode!r}",
            ValueError,
        )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = ntuple(kernel_size, 2, "kernel_size")
        self.stride = ntuple(stride, 2, "stride")
        self.dilation = ntuple(dilation, 2, "dilation")
        self.padding = padding if isinstance(padding, str) else ntuple(padding, 2, "padding")
        self.padding_mode = padding_mode
        before, after = resolve_padding(self.padding, self.kernel_size, self.dilation, self.stride, 2)
        #: torch's F.pad order: (left, right, top, bottom)
        self.pad_amounts = (before[1], after[1], before[0], after[0])
        fan_in = in_channels // groups * self.kernel_size[0] * self.kernel_size[1]
        bound = kaiming_uniform_bound(fan_in)
        rng = as_generator(rng)
        self.params["weight"] = uniform(rng, bound, (out_channels, in_channels // groups, *self.kernel_size))
        self.grads["weight"] = None
        if bias:
            self.params["bias"] = uniform(rng, 1 / math.sqrt(fan_in), (out_channels,))
            self.grads["bias"] = None
        self.padded: np.ndarray | None = None

    def explicit_pad(self) -> bool:
        """Pad with ``F.pad`` first (modes other than zeros, or uneven 'same' padding)."""
        left, right, top, bottom = self.pad_amounts
        return self.padding_mode != "zeros" or left != right or top != bottom

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``conv2d`` of the (padded) input with the layer's weight and bias."""
        w, b = self.params["weight"], self.params.get("bias")
        if self.explicit_pad():
            mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
            self.unpadded_shape = x.shape
            self.padded = F.pad(x, self.pad_amounts, mode=mode)
            padding: tuple[int, int] = (0, 0)
        else:
            self.padded = x
            padding = (self.pad_amounts[2], self.pad_amounts[0])
        self.conv_padding = padding
        return F.conv2d(self.padded, w, b, self.stride, padding, self.dilation, self.groups)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Gradients of input, weight and bias via ``convbook.grad``."""
        require(self.padded is not None, "Conv2d.backward called before forward")
        w = self.params["weight"]
        geometry = dict(stride=self.stride, padding=self.conv_padding, dilation=self.dilation, groups=self.groups)
        self.grads["weight"] = G.conv2d_weight(self.padded, w.shape, grad_output, **geometry)
        if "bias" in self.params:
            self.grads["bias"] = G.conv_bias(grad_output, batched=grad_output.ndim == 4)
        grad_input = G.conv2d_input(self.padded.shape, w, grad_output, **geometry)
        if self.explicit_pad():
            mode = "constant" if self.padding_mode == "zeros" else self.padding_mode
            grad_input = G.pad_backward(grad_input, self.unpadded_shape, self.pad_amounts, mode=mode)
        return grad_input

    def extra_repr(self) -> str:
        """Channels, kernel and the non-default options."""
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0, 0), "valid"):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if "bias" not in self.params:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode!r}"
        return text


class MaxPool2d(Module):
    """Max pooling, like ``torch.nn.MaxPool2d``; backward routes each gradient to its maximum."""

    def __init__(
        self,
        kernel_size: IntOrTuple,
        stride: IntOrTuple | None = None,
        padding: IntOrTuple = 0,
        dilation: IntOrTuple = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.return_indices, self.ceil_mode = dilation, return_indices, ceil_mode
        self.input: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """``max_pool2d`` (and the indices of the maxima if ``return_indices``); keeps the input."""
        self.input = x
        return F.max_pool2d(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Each output gradient goes to the input cell that held the maximum."""
        require(self.input is not None, "MaxPool2d.backward called before forward")
        return G.max_pool2d_backward(
            grad_output, self.input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode
        )

    def extra_repr(self) -> str:
        """The pooling arguments."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Average pooling, like ``torch.nn.AvgPool2d``; backward spreads each gradient over its window."""

    def __init__(
        self,
        kernel_size: IntOrTuple,
        stride: IntOrTuple | None = None,
        padding: IntOrTuple = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override
        self.input: np.ndarray | None = None

    def options(self) -> dict:
        """The keyword arguments shared by the forward and backward functions."""
        return dict(
            kernel_size=self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            ceil_mode=self.ceil_mode,
            count_include_pad=self.count_include_pad,
            divisor_override=self.divisor_override,
        )

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``avg_pool2d``."""
        self.input = x
        return F.avg_pool2d(x, **self.options())

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Each output gradient, divided by the window's divisor, goes to every cell of its window."""
        require(self.input is not None, "AvgPool2d.backward called before forward")
        return G.avg_pool2d_backward(grad_output, self.input, **self.options())

    def extra_repr(self) -> str:
        """The pooling arguments."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class GlobalAvgPool2d(Module):
    """The mean of each channel's feature map: ``(N, C, H, W) -> (N, C, 1, 1)``.

    Like ``torch.nn.AdaptiveAvgPool2d(1)``; it is average pooling with a
    window as large as the feature map.
    """

    def __init__(self) -> None:
        super().__init__()
        self.input: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``avg_pool2d`` with ``kernel_size = (H, W)``."""
        self.input = x
        return F.avg_pool2d(x, x.shape[-2:])

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Each channel's gradient, divided by ``H * W``, goes to every cell of its map."""
        require(self.input is not None, "GlobalAvgPool2d.backward called before forward")
        return G.avg_pool2d_backward(grad_output, self.input, kernel_size=self.input.shape[-2:])


class ReLU(Module):
    """``max(x, 0)`` elementwise; the gradient passes where the input was positive."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``np.maximum(x, 0)``."""
        self.positive = x > 0
        return np.where(self.positive, x, np.zeros((), dtype=x.dtype))

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """``grad_output`` where the input was positive, zero elsewhere."""
        return np.where(self.positive, grad_output, np.zeros((), dtype=grad_output.dtype))


class Flatten(Module):
    """Reshape ``(N, C, H, W)`` to ``(N, C*H*W)``, like ``torch.nn.Flatten()``."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Merge dimensions ``start_dim`` to ``end_dim`` into one."""
        self.input_shape = x.shape
        start = self.start_dim % x.ndim
        end = self.end_dim % x.ndim
        return x.reshape(*x.shape[:start], -1, *x.shape[end + 1 :])

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Reshape the gradient back to the input's shape."""
        return grad_output.reshape(self.input_shape)


class Linear(Module):
    """Fully connected layer ``y = x W^T + b``, like ``torch.nn.Linear``."""

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, rng: np.random.Generator | int | None = None
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        rng = as_generator(rng)
        bound = kaiming_uniform_bound(in_features)
        self.params["weight"] = uniform(rng, bound, (out_features, in_features))
        self.grads["weight"] = None
        if bias:
            self.params["bias"] = uniform(rng, 1 / math.sqrt(in_features), (out_features,))
            self.grads["bias"] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x @ W.T + b`` over the last dimension."""
        self.input = x
        y = x @ self.params["weight"].T
        return y + self.params["bias"] if "bias" in self.params else y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """``dW = g^T x``, ``db = sum(g)``, ``dx = g W`` (leading dimensions summed)."""
        g2 = grad_output.reshape(-1, self.out_features)
        x2 = self.input.reshape(-1, self.in_features)
        self.grads["weight"] = g2.T @ x2
        if "bias" in self.params:
            self.grads["bias"] = g2.sum(axis=0)
        return grad_output @ self.params["weight"]

    def extra_repr(self) -> str:
        """Feature counts."""
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={'bias' in self.params}"


class Sequential(Module):
    """Layers applied in order; backward runs them in reverse."""

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        self.layers = list(layers)

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Each layer's output is the next layer's input."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """The chain rule: each layer's input gradient is the previous layer's output gradient."""
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def named_parameters(self) -> dict[str, np.ndarray]:
        """``{"0.weight": ..., "0.bias": ..., "3.weight": ...}`` as in torch's ``state_dict``."""
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.named_parameters().items()}

    def named_grads(self) -> dict[str, np.ndarray | None]:
        """Gradients with the same names as ``named_parameters``."""
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.named_grads().items()}

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"


class SoftmaxCrossEntropy:
    """Softmax and cross-entropy in one, averaged over the batch, like ``torch.nn.CrossEntropyLoss()``.

    ``forward(logits, target)`` takes ``(N, classes)`` scores and ``(N,)``
    class indices and returns the mean loss; ``backward()`` returns
    ``(softmax(logits) - one_hot(target)) / N``.
    """

    def forward(self, logits: np.ndarray, target: np.ndarray) -> float:
        """Mean of ``-log softmax(logits)[n, target[n]]`` (computed stably)."""
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.probs = np.exp(log_probs)
        self.target = np.asarray(target)
        return float(-log_probs[np.arange(len(self.target)), self.target].mean())

    def __call__(self, logits: np.ndarray, target: np.ndarray) -> float:
        return self.forward(logits, target)

    def backward(self) -> np.ndarray:
        """The gradient of the mean loss with respect to the logits."""
        grad = self.probs.copy()
        grad[np.arange(len(self.target)), self.target] -= 1
        return grad / len(self.target)


class SGD:
    """Stochastic gradient descent with momentum, like ``torch.optim.SGD``.

    With ``g = grad + weight_decay * p``, momentum keeps a buffer
    ``b = g`` on the first step and ``b = momentum * b + (1 - dampening) * g``
    afterwards, then ``p -= lr * b`` (``lr * (g + momentum * b)`` if
    ``nesterov``). Parameters without a gradient are skipped.
    """

    def __init__(
        self,
        model: Module,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        require(lr >= 0, f"Invalid learning rate: {lr}", ValueError)
        require(momentum >= 0, f"Invalid momentum value: {momentum}", ValueError)
        require(
            not nesterov or (momentum > 0 and dampening == 0),
            "Nesterov momentum requires a momentum and zero dampening",
            ValueError,
        )
        self.model, self.lr, self.momentum, self.dampening = model, lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.buffers: dict[str, np.ndarray] = {}

    def step(self) -> None:
        """Update every parameter in place from its stored gradient."""
        grads = self.model.named_grads()
        for name, p in self.model.named_parameters().items():
            g = grads.get(name)
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p
            if self.momentum:
                if name not in self.buffers:
                    self.buffers[name] = np.array(g, copy=True)
                else:
                    self.buffers[name] *= self.momentum
                    self.buffers[name] += (1 - self.dampening) * g
                g = g + self.momentum * self.buffers[name] if self.nesterov else self.buffers[name]
            p -= np.asarray(self.lr * g, dtype=p.dtype)

    def zero_grad(self) -> None:
        """Forget the stored gradients (``backward`` overwrites them anyway)."""
        for layer in iter_layers(self.model):
            for name in layer.grads:
                layer.grads[name] = None


def iter_layers(model: Module) -> Iterator[Module]:
    """The leaf layers of a model, in order."""
    if isinstance(model, Sequential):
        for layer in model.layers:
            yield from iter_layers(layer)
    else:
        yield model
