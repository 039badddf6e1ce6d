"""Plausible wrong solutions of 03-padding-stride-dilation (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

SCALAR = "(input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1"
TUPLE = "(i + 2 * p - d * (k - 1) - 1) // s + 1"


def both(scalar: str, per_dim: str) -> list:
    return [("conv_output_size", SCALAR, scalar), ("conv_output_size", TUPLE, per_dim)]


WRONG = {
    "conv_output_size counts padding once": {
        "edit": both("(input_size + padding - dilation * (kernel_size - 1) - 1) // stride + 1",
                     "(i + p - d * (k - 1) - 1) // s + 1"),
        "diagnosis": "padding counted once",
    },
    "conv_output_size rounds up": {
        "edit": both("-(-(input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride) + 1",
                     "-(-(i + 2 * p - d * (k - 1) - 1) // s) + 1"),
        "diagnosis": "rounded up (ceil)",
    },
    "conv_output_size forgets dilation": {
        "edit": both("(input_size + 2 * padding - (kernel_size - 1) - 1) // stride + 1", "(i + 2 * p - (k - 1) - 1) // s + 1"),
        "diagnosis": "the size without dilation",
    },
    "conv_output_size takes the dilated kernel as d*k wide": {
        "edit": both("(input_size + 2 * padding - dilation * kernel_size) // stride + 1", "(i + 2 * p - d * k) // s + 1"),
        "diagnosis": "d·k wide",
    },
    "conv_output_size forgets the + 1": {
        "edit": both("(input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride",
                     "(i + 2 * p - d * (k - 1) - 1) // s"),
        "diagnosis": "without the + 1",
    },
    "conv_output_size handles ints only": {
        "replace": {"conv_output_size": '''
def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
'''},
        "diagnosis": None,
    },
    "conv_output_size divides with /": {
        "edit": both("int((input_size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)",
                     "(i + 2 * p - d * (k - 1) - 1) / s + 1"),
        "diagnosis": None,
    },
    "conv_output_size needs every argument as a tuple": {
        "replace": {"conv_output_size": '''
def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    if isinstance(input_size, int):
        return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    return tuple((i + 2 * p - d * (k - 1) - 1) // s + 1
                 for i, k, s, p, d in zip(input_size, kernel_size, stride, padding, dilation))
'''},
        "diagnosis": None,
    },
    "pad reflect repeats the edge": {
        "edit": [("pad", """            period = 2 * (size - 1)
            positions = np.abs(positions) if period == 0 else np.abs((positions + period) % period)
            positions = np.where(positions >= size, period - positions, positions)""",
                  """            positions = np.where(positions < 0, -positions - 1, positions)
            positions = np.where(positions >= size, 2 * size - 1 - positions, positions)""")],
        "diagnosis": "edge repeated in the mirror",
    },
    "pad applies the first pair to the first padded dimension": {
        "edit": [("pad", "for axis, (before, after) in zip(range(x.ndim - 1, -1, -1), pairs):\n            shape",
                  "for axis, (before, after) in zip(range(x.ndim - len(pairs), x.ndim), pairs):\n            shape"),
                 ("pad", "for axis, (before, after) in zip(range(x.ndim - 1, -1, -1), pairs):\n        size",
                  "for axis, (before, after) in zip(range(x.ndim - len(pairs), x.ndim), pairs):\n        size")],
        "diagnosis": "pairs in the wrong order",
    },
    "pad ignores value": {
        "edit": [("pad", "out = np.full(shape, 0 if value is None else value, dtype=x.dtype)",
                  "out = np.zeros(shape, dtype=x.dtype)")],
        "diagnosis": "value ignored",
    },
    "pad circular copies the wrong end": {
        "edit": [("pad", "positions = positions % size",
                  "positions = np.where(positions < 0, positions + before, positions)\n"
                  "            positions = np.where(positions >= size, positions - size + size - after, positions)")],
        "diagnosis": None,
    },
    "pad replicate repeats the neighbour of the edge": {
        "edit": [("pad", "positions = np.clip(positions, 0, size - 1)",
                  "positions = np.where(positions < 0, 1, np.where(positions >= size, size - 2, positions))")],
        "diagnosis": None,
    },
    "same_padding puts the odd zero first": {
        "edit": [("same_padding", "return (total // 2, total - total // 2)", "return (total - total // 2, total // 2)")],
        "diagnosis": "the odd extra zero before",
    },
    "same_padding ignores dilation": {
        "edit": [("same_padding", "total = dilation * (kernel_size - 1)", "total = kernel_size - 1")],
        "diagnosis": "dilation ignored",
    },
    "same_padding pads k // 2 on both sides": {
        "edit": [("same_padding", "return (total // 2, total - total // 2)", "return (kernel_size // 2, kernel_size // 2)")],
        "diagnosis": "(k // 2, k // 2)",
    },
    "same_padding rounds both halves down": {
        "edit": [("same_padding", "return (total // 2, total - total // 2)", "return (total // 2, total // 2)")],
        "diagnosis": "rounded down",
    },
    "same_padding returns a list": {
        "edit": [("same_padding", "return (total // 2, total - total // 2)", "return [total // 2, total - total // 2]")],
        "diagnosis": None,
    },
}

# receptive_field (task 4): the recurrence's usual slips
RF_SIZE = "size += (kernel_size - 1) * dilation * jump"
RF_START = "start -= padding * jump"


def rf_edit(old: str, new: str) -> dict:
    return {"edit": [("receptive_field", old, new)]}


WRONG.update({
    "receptive_field updates the jump before using it": {
        "edit": [("receptive_field", f"        {RF_SIZE}\n        {RF_START}\n        jump *= stride",
                  f"        jump *= stride\n        {RF_SIZE}\n        {RF_START}")],
        "diagnosis": "the jump updated before it is used",
    },
    "receptive_field grows the field with the layer's own jump": {
        **rf_edit(RF_SIZE, "size += (kernel_size - 1) * dilation * jump * stride"),
        "diagnosis": "the layer's own jump",
    },
    "receptive_field ignores dilation": {
        **rf_edit(RF_SIZE, "size += (kernel_size - 1) * jump"),
        "diagnosis": "the field without dilation",
    },
    "receptive_field adds (k - 1)d per layer whatever the strides below": {
        **rf_edit(RF_SIZE, "size += (kernel_size - 1) * dilation"),
        "diagnosis": "without the jump",
    },
    "receptive_field adds k taps per layer": {
        **rf_edit(RF_SIZE, "size += kernel_size * dilation * jump"),
        "diagnosis": "k taps added per layer",
    },
    "receptive_field starts from a size of 0": {
        **rf_edit("size, jump, start = 1, 1, 0", "size, jump, start = 0, 1, 0"),
        "diagnosis": "counted from r_0 = 0",
    },
    "receptive_field moves the start right by the padding": {
        **rf_edit(RF_START, "start += padding * jump"),
        "diagnosis": "moved right by padding",
    },
    "receptive_field ignores padding": {
        **rf_edit(f"        {RF_START}\n", ""),
        "diagnosis": "a start of 0 (padding ignored)",
    },
    "receptive_field does not scale the padding by the jump": {
        **rf_edit(RF_START, "start -= padding"),
        "diagnosis": "not scaled by the jump",
    },
    "receptive_field keeps the last stride as the jump": {
        **rf_edit("jump *= stride", "jump = stride"),
        "diagnosis": "the last stride alone",
    },
    "receptive_field returns the centre of the field as its start": {
        **rf_edit("return (size, jump, start)", "return (size, jump, start + (size - 1) // 2)"),
        "diagnosis": "the centre of output 0's field",
    },
    "receptive_field returns every layer's field": {
        "replace": {"receptive_field": '''
def receptive_field(layers):
    size, jump, start, fields = 1, 1, 0, []
    for kernel_size, stride, padding, dilation in layers:
        size += (kernel_size - 1) * dilation * jump
        start -= padding * jump
        jump *= stride
        fields.append((size, jump, start))
    return fields
'''},
        "diagnosis": None,
    },
})
