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


# -- worker messages: exact forms and exact limits --------------------------------------------

def _array_node(shape: list[int], data: bytes = b"") -> bytes:
    return json.dumps({"__ndarray__": base64.b64encode(data).decode(), "dtype": "float64", "shape": shape}).encode()


def test_array_rank_limit_is_exact() -> None:
    ones = [1] * wire.MAX_RANK
    assert wire.decode(_array_node(ones, bytes(8))).shape == tuple(ones)
    with refused("malformed array shape"):
        wire.decode(_array_node([1] * (wire.MAX_RANK + 1), bytes(8)))


def test_array_size_counts_every_dimension() -> None:
    side = 3000  # each side is small, the product is over the limit
    assert side < wire.MAX_ARRAY_ELEMENTS < side * side
    with refused("array too large"):
        wire.decode(_array_node([side, side]))
    with refused("array too large"):
        wire.decode(_array_node([wire.MAX_ARRAY_ELEMENTS + 1]))


def test_a_number_json_cannot_hold_is_refused_by_name() -> None:
    with refused("number out of range"):
        wire.decode(b"[1e400]")
    with refused("bare NaN is not plain data"):
        wire.decode(b"[NaN]")


def test_every_message_kind_is_checked_to_its_exact_form() -> None:
    error = {"type": "ValueError", "message": "m", "traceback": "t", "missing": "tf", "extra": 1}
    assert wire.check_message({"kind": "load", "name": "a.py", "output": "hi", "duration": 0, "error": error,
                               "value": 1, "junk": 2}) == {
        "kind": "load", "name": "a.py", "output": "hi", "duration": 0.0,
        "error": {"type": "ValueError", "message": "m", "traceback": "t", "missing": "tf"}}
    assert wire.check_message({"kind": "observation", "probe": "p", "value": [1], "error": {"type": "E"}}) == {
        "kind": "observation", "probe": "p", "value": [1], "error": {"type": "E", "message": "", "traceback": ""}}
    assert wire.check_message({"kind": "start", "probe": "p", "output": 5}) == {"kind": "start", "probe": "p"}
    assert wire.check_message({"kind": "done", "probe": 5}) == {"kind": "done"}
    assert wire.check_message({"kind": "ready"}) == {"kind": "ready"}
    assert wire.check_message({"kind": "observation", "probe": "p", "error": None}) == {
        "kind": "observation", "probe": "p", "error": None}


@pytest.mark.parametrize("msg, reason", [
    ([], "a message must be a dictionary"),
    ({"kind": "hello"}, "unknown message kind"),
    ({"kind": 3}, "unknown message kind"),
    ({"kind": "start"}, "a start message needs a text probe"),
    ({"kind": "start", "probe": ""}, "a start message needs a text probe"),
    ({"kind": "load", "name": "x" * (wire.MAX_ID + 1)}, "a load message needs a text name"),
    ({"kind": "load", "name": "a", "output": b"x"}, "output must be text"),
    ({"kind": "load", "name": "a", "duration": -0.001}, "duration must be a number of seconds"),
    ({"kind": "load", "name": "a", "duration": wire.MAX_DURATION * 1.001}, "duration must be a number of seconds"),
    ({"kind": "load", "name": "a", "duration": True}, "duration must be a number of seconds"),
    ({"kind": "load", "name": "a", "duration": "1"}, "duration must be a number of seconds"),
    ({"kind": "load", "name": "a", "error": "boom"}, "an error report must be a dictionary"),
    ({"kind": "load", "name": "a", "error": {"type": 1}}, "error type must be text"),
    ({"kind": "load", "name": "a", "error": {"missing": 1}}, "error missing must be text"),
])
def test_malformed_messages_are_refused_with_their_reason(msg: Any, reason: str) -> None:
    with refused(reason):
        wire.check_message(msg)


def test_message_limits_are_inclusive() -> None:
    longest = "x" * wire.MAX_ID
    assert wire.check_message({"kind": "load", "name": longest, "duration": wire.MAX_DURATION}) == {
        "kind": "load", "name": longest, "duration": wire.MAX_DURATION}


def test_decode_message_applies_its_size_limit() -> None:
    body = wire.encode({"kind": "done"})
    assert wire.decode_message(body, max_bytes=len(body)) == {"kind": "done"}
    with refused("message too large"):
        wire.decode_message(body, max_bytes=len(body) - 1)


def test_frames_up_to_the_limit_pass_and_the_limit_applies_to_each_body() -> None:
    body = wire.encode({"kind": "start", "probe": "p"})
    frame = wire.FRAME_HEADER.pack(len(body)) + body
    buffer = bytearray(frame * 2 + frame[:3])
    assert wire.pop_frames(buffer, max_message=len(body)) == [{"kind": "start", "probe": "p"}] * 2
    assert buffer == bytearray(frame[:3])  # an incomplete frame waits for the rest
    with refused("message too large"):
        wire.pop_frames(bytearray(frame), max_message=len(body) - 1)


def test_decode_refuses_what_is_not_bytes_and_integers_too_long_to_parse() -> None:
    with refused("not bytes"):
        wire.decode("[1]")  # type: ignore[arg-type]
    with refused("integer out of range"):
        wire.decode(b"[" + b"9" * 5000 + b"]")


def test_integer_and_float_limits_of_plain_data_both_ways() -> None:
    edge = wire.INT_LIMIT - 1
    assert wire.from_jsonable(edge) == edge and wire.from_jsonable(-edge) == -edge
    for beyond in (wire.INT_LIMIT, -wire.INT_LIMIT):
        with refused("integer out of range"):
            wire.from_jsonable(beyond)
        with refused("integers beyond 64 bits cannot be sent"):
            wire.to_jsonable(beyond)
    assert wire.to_jsonable(edge) == edge and wire.to_jsonable(-edge) == -edge
    with refused("bare non-finite number"):
        wire.from_jsonable(float("inf"))
    assert wire.to_jsonable(float("-inf")) == {"__float__": "-inf"}


def test_an_array_at_the_rank_limit_is_sent_and_one_beyond_is_not() -> None:
    assert wire.decode(wire.encode(np.zeros([1] * wire.MAX_RANK))).ndim == wire.MAX_RANK
    with refused(f"an array of shape {[1] * wire.MAX_RANK} is too large to send"):
        wire.to_jsonable(np.zeros([1] * (wire.MAX_RANK + 1)))
