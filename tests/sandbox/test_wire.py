"""The pickle-free wire format: what round-trips, and what is refused."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from grader.sandbox import wire


def roundtrip(value: object) -> object:
    return wire.decode(wire.encode(value))


def test_plain_values_round_trip() -> None:
    value = {"a": [1, 2.5, "x", None, True], "b": {"c": []}}
    assert roundtrip(value) == value


def test_numpy_scalars_become_python_numbers() -> None:
    out = roundtrip([np.int64(3), np.float32(0.5), np.bool_(True)])
    assert out == [3, 0.5, True]
    assert [type(v) for v in out] == [int, float, bool]  # type: ignore[union-attr]


def test_non_finite_floats_are_spelled_out() -> None:
    out = roundtrip([math.nan, math.inf, -math.inf, np.float64("nan")])
    assert isinstance(out, list)
    assert math.isnan(out[0]) and out[1] == math.inf and out[2] == -math.inf and math.isnan(out[3])
    assert b"NaN" not in wire.encode([math.nan])  # strict JSON on the wire


@pytest.mark.parametrize("dtype", ["bool", "int8", "int32", "int64", "uint8", "float16", "float32", "float64"])
def test_arrays_round_trip_with_dtype_and_shape(dtype: str) -> None:
    a = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    out = roundtrip({"a": a})
    assert isinstance(out, dict)
    assert out["a"].dtype == a.dtype and out["a"].shape == (3, 4)
    assert np.array_equal(out["a"], a)
    out["a"][0, 0] = 1  # a writable copy, not a view on the message


def test_non_contiguous_and_empty_arrays() -> None:
    a = np.arange(20.0).reshape(4, 5)[:, ::2]
    assert np.array_equal(roundtrip(a), a)  # type: ignore[arg-type]
    empty = roundtrip(np.zeros((0, 3)))
    assert isinstance(empty, np.ndarray) and empty.shape == (0, 3)


@pytest.mark.parametrize("value", [
    np.array([object()], dtype=object), np.array(["a"]), {1: "x"}, object(), {1, 2}, b"bytes", 1j,
])
def test_encode_refuses_anything_but_plain_data(value: object) -> None:
    with pytest.raises(wire.WireError):
        wire.encode(value)


def test_encode_refuses_deep_nesting() -> None:
    value: list[object] = []
    for _ in range(wire.MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(wire.WireError):
        wire.encode(value)


def _array_node(**over: object) -> bytes:
    node: dict[str, object] = {"__ndarray__": base64.b64encode(np.zeros(4).tobytes()).decode(),
                               "dtype": "float64", "shape": [4]}
    node.update(over)
    return json.dumps(node).encode()


@pytest.mark.parametrize("data", [
    b"\xff\xfe", b"{not json", b'{"__float__": "pi"}', b'{"__float__": "nan", "x": 1}',
    _array_node(dtype="object"), _array_node(shape=[5]), _array_node(shape=[-4]), _array_node(shape=[True]),
    _array_node(__ndarray__="!!!"), _array_node(extra=1), _array_node(shape="4"),
    _array_node(shape=[10_000, 10_000]),
])
def test_decode_refuses_malformed_data(data: bytes) -> None:
    with pytest.raises(wire.WireError):
        wire.decode(data)


def test_decode_refuses_oversized_and_deep_messages() -> None:
    with pytest.raises(wire.WireError):
        wire.decode(b"[" + b"0," * 100 + b"0]", max_bytes=50)
    with pytest.raises(wire.WireError):
        wire.decode(b"[" * 100_000 + b"]" * 100_000)


def test_decode_never_builds_objects() -> None:
    """Tags that pickle-based formats would execute are just dictionaries here."""
    out = wire.decode(b'{"__reduce__": ["os.system", ["echo hi"]], "py/object": "os.system"}')
    assert out == {"__reduce__": ["os.system", ["echo hi"]], "py/object": "os.system"}
