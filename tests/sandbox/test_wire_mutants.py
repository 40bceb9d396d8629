"""The wire format at its exact limits, and the reason each refusal gives.

Written against the mutants tests/sandbox/test_wire.py let live: off-by-one depth and size
limits, base64 that is only valid when junk is skipped, shapes of bools or negative sizes,
and refusals that raise for the wrong reason.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import numpy as np
import pytest

from grader.sandbox import wire


def nested(depth: int, kind: str) -> Any:
    """A 1 under `depth` lists or single-key dicts: the 1 sits at nesting level `depth`."""
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


def refused(reason: str) -> Any:
    return pytest.raises(wire.WireError, match=f"^{re.escape(reason)}$")


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_depth_limit_is_exact_both_ways(kind: str) -> None:
    deepest = nested(wire.MAX_DEPTH, kind)
    assert wire.decode(wire.encode(deepest)) == deepest
    with refused("data nested too deeply"):
        wire.encode(nested(wire.MAX_DEPTH + 1, kind))
    too_deep = json.dumps(nested(wire.MAX_DEPTH + 1, kind)).encode()
    with refused("data nested too deeply"):
        wire.decode(too_deep)


def test_encode_says_why_it_refuses() -> None:
    with refused("dictionary keys must be strings"):
        wire.encode({1: "x"})
    with refused("arrays of dtype complex128 cannot be sent"):
        wire.encode(np.zeros(2, dtype=complex))
    with refused("cannot send a value of type bytes"):
        wire.encode(b"raw")


def test_non_finite_floats_keep_their_sign_on_the_wire() -> None:
    assert json.loads(wire.encode([float("inf"), float("-inf"), float("nan")])) == [
        {"__float__": "inf"}, {"__float__": "-inf"}, {"__float__": "nan"}]


def _node(**over: object) -> bytes:
    node: dict[str, object] = {"__ndarray__": base64.b64encode(bytes(4)).decode(), "dtype": "uint8", "shape": [4]}
    node.update(over)
    return json.dumps(node).encode()


@pytest.mark.parametrize(("data", "reason"), [
    (b'{"__float__": "pi"}', "malformed float"),
    (b'{"__float__": "nan", "x": 1}', "malformed float"),
    (_node(extra=1), "malformed array"),
    (_node(dtype="object"), "malformed array"),
    (_node(__ndarray__=7), "malformed array"),
    (_node(shape=4), "malformed array shape"),          # a string of data, but no list of sizes
    (_node(shape=[True, 4]), "malformed array shape"),  # a bool is not a size
    (_node(shape=[1.5]), "malformed array shape"),
    (_node(shape=[-4]), "malformed array shape"),
    (_node(shape=[wire.MAX_ARRAY_ELEMENTS + 1], __ndarray__=""), "array too large"),
    (_node(__ndarray__="AAAA!AA=="), "malformed array data"),  # valid only if the "!" were skipped
    (_node(__ndarray__="é"), "malformed array data"),
    (_node(shape=[5]), "array data does not match its shape"),
])
def test_decode_says_why_it_refuses(data: bytes, reason: str) -> None:
    with refused(reason):
        wire.decode(data)


def test_decode_refuses_what_is_not_json_with_the_parser_reason() -> None:
    with pytest.raises(wire.WireError, match=r"^not valid plain data: JSONDecodeError: Expecting"):
        wire.decode(b"{not json")


def test_array_size_limit_is_exact() -> None:
    limit = np.zeros(wire.MAX_ARRAY_ELEMENTS, dtype=np.uint8)
    out = wire.decode(wire.encode(limit))
    assert isinstance(out, np.ndarray) and out.shape == limit.shape


def test_message_size_limit_is_exact() -> None:
    assert wire.decode(b"[1]", max_bytes=3) == [1]
    with refused("message too large"):
        wire.decode(b"[1]", max_bytes=2)


def test_from_jsonable_refuses_what_json_never_gives() -> None:
    with refused("unexpected JSON value tuple"):
        wire.from_jsonable((1, 2))
