"""Plausible wrong solutions of 11-cnn (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

SOFTMAX = '''
def softmax_cross_entropy(logits, target):
    logits = np.asarray(logits)
    target = np.asarray(target)
    n = len(target)
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = float(-np.log(probabilities[np.arange(n), target]).mean())
    grad = probabilities.copy()
    grad[np.arange(n), target] -= 1
    return loss, (grad / n).astype(logits.dtype)
'''


def softmax(old: str, new: str) -> dict:
    assert old in SOFTMAX, old
    return {"softmax_cross_entropy": SOFTMAX.replace(old, new)}


WRONG = {
    "relu returns float64": {
        "edit": [("relu", "return np.where(x > 0, x, np.zeros((), dtype=x.dtype))", "return np.maximum(x, np.zeros(x.shape))")],
        "diagnosis": "the right values as float64",
    },
    "relu_backward passes the gradient at 0": {
        "edit": [("relu", "return np.where(np.asarray(x) > 0, grad_output,", "return np.where(np.asarray(x) >= 0, grad_output,")],
        "diagnosis": "x >= 0",
    },
    "relu_backward returns the mask": {
        "edit": [("relu", "return np.where(np.asarray(x) > 0, grad_output, np.zeros((), dtype=grad_output.dtype))",
                  "return (np.asarray(x) > 0).astype(grad_output.dtype)")],
        "diagnosis": "the mask x > 0",
    },
    "relu_backward multiplies by x": {
        "edit": [("relu", "return np.where(np.asarray(x) > 0, grad_output, np.zeros((), dtype=grad_output.dtype))",
                  "return np.where(np.asarray(x) > 0, grad_output * x, 0).astype(grad_output.dtype)")],
        "diagnosis": None,
    },
    "softmax_cross_entropy does not subtract the maximum": {
        "replace": softmax("shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits"),
        "diagnosis": "np.exp of large logits overflows",
    },
    "softmax_cross_entropy sums over the batch": {
        "replace": softmax("loss = float(-np.log(probabilities[np.arange(n), target]).mean())",
                           "loss = float(-np.log(probabilities[np.arange(n), target]).sum())"),
        "diagnosis": "the SUM over the batch",
    },
    "softmax_cross_entropy does not divide the gradient by N": {
        "replace": softmax("return loss, (grad / n).astype(logits.dtype)", "return loss, grad.astype(logits.dtype)"),
        "diagnosis": "not divided by N",
    },
    "softmax_cross_entropy forgets the one-hot": {
        "replace": softmax("    grad[np.arange(n), target] -= 1\n", ""),
        "diagnosis": "the one-hot target not subtracted",
    },
    "softmax_cross_entropy flips the gradient's sign": {
        "replace": softmax("return loss, (grad / n).astype(logits.dtype)", "return loss, (-grad / n).astype(logits.dtype)"),
        "diagnosis": None,
    },
    "Linear forgets the bias": {
        "edit": [("Linear", 'return self.input @ self.params["weight"].T + self.params["bias"]', 'return self.input @ self.params["weight"].T')],
        "diagnosis": "x W^T without the bias",
    },
    "Linear computes x^T g for the weight": {
        "edit": [("Linear", 'self.grads["weight"] = grad_output.T @ self.input', 'self.grads["weight"] = self.input.T @ grad_output')],
        "diagnosis": "x^T · grad_output",
    },
    "Linear averages the bias gradient": {
        "edit": [("Linear", 'self.grads["bias"] = grad_output.sum(axis=0)', 'self.grads["bias"] = grad_output.mean(axis=0)')],
        "diagnosis": "the batch MEAN of grad_output",
    },
    "Linear averages the weight gradient": {
        "edit": [("Linear", 'self.grads["weight"] = grad_output.T @ self.input', 'self.grads["weight"] = grad_output.T @ self.input / len(grad_output)')],
        "diagnosis": "the batch MEAN of the weight gradients",
    },
    "Linear draws normal weights": {
        "edit": [("Linear", 'self.params["weight"] = rng.uniform(-bound, bound, size=(out_features, in_features)).astype(np.float32)',
                  'self.params["weight"] = (bound * rng.standard_normal((out_features, in_features))).astype(np.float32)')],
        "diagnosis": None,
    },
    "Linear keeps float64 parameters": {
        "edit": [("Linear", 'self.params["bias"] = rng.uniform(-bound, bound, size=(out_features,)).astype(np.float32)',
                  'self.params["bias"] = rng.uniform(-bound, bound, size=(out_features,))')],
        "diagnosis": None,
    },
    "Linear caches the weight at construction": {
        "edit": [("Linear", 'self.params["bias"] = rng.uniform(-bound, bound, size=(out_features,)).astype(np.float32)',
                  'self.params["bias"] = rng.uniform(-bound, bound, size=(out_features,)).astype(np.float32)\n'
                  '        self.weight, self.bias = self.params["weight"], self.params["bias"]'),
                 ("Linear", 'return self.input @ self.params["weight"].T + self.params["bias"]', 'return self.input @ self.weight.T + self.bias')],
        "diagnosis": None,
    },
    "train_step forgets the update": {
        "edit": [("make_network", "    optimiser.step()\n", "")],
        "diagnosis": None,
    },
    "train_step updates before the backward pass": {
        "edit": [("make_network", "    model.backward(criterion.backward())\n    optimiser.step()\n", "    optimiser.step()\n    model.backward(criterion.backward())\n")],
        "diagnosis": None,
    },
    "train trains one epoch": {
        "edit": [("train", "for epoch in range(15):", "for epoch in range(1):")],
        "diagnosis": None,
    },
}
