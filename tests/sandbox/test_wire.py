"""The pickle-free wire format: what round-trips, and what is refused."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from grader import codec
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


# -- totality: any bytes give plain data or WireError, never another exception --------

@pytest.mark.parametrize("data", [
    b'{"duration": 1' + b"0" * 5000 + b"}",            # int() refuses > 4300 digits with ValueError
    b"[" + b"9" * 30 + b"]", b"[-" + b"9" * 30 + b"]",  # beyond 64 bits
    b"[NaN]", b"[Infinity]", b"[-Infinity]", b"[1e400]", b"[-1e400]",
    b'{"__float__": ["nan"]}', b'{"__float__": {}}',  # unhashable where a name is expected
    _array_node(dtype=["float64"]), _array_node(dtype={}),
    _array_node(shape=[0] * 100, __ndarray__=""), _array_node(shape=[0, 10 ** 30]), _array_node(shape=[10 ** 30, 10 ** 30]),
    _array_node(shape=[2, 2.0]), _array_node(shape=[None]), _array_node(__ndarray__=7),
    _array_node(__ndarray__="\u00e9\u00e9\u00e9\u00e9"),
    b"[" * 100_000, b'"\\ud800', b"\x00", b"", b"  ",
])
def test_decode_turns_every_malformed_input_into_a_wire_error(data: bytes) -> None:
    with pytest.raises(wire.WireError):
        wire.decode(data)


def test_lone_surrogates_become_replacement_characters() -> None:
    out = wire.decode(b'{"\\udc80k": ["a\\ud800b", "\\ud83d\\ude00"]}')
    assert out == {"\ufffdk": ["a\ufffdb", "\U0001F600"]}
    json.dumps(out, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


def test_encode_refuses_what_decode_would_refuse() -> None:
    for value in (1 << 64, -(1 << 64), np.zeros([1] * 40), np.zeros(wire.MAX_ARRAY_ELEMENTS + 1, np.uint8)):
        with pytest.raises(wire.WireError):
            wire.encode(value)
    assert roundtrip([(1 << 64) - 1, -(1 << 64) + 1]) == [(1 << 64) - 1, -(1 << 64) + 1]


# -- property-based fuzzing: the decoder and the Collector behind it ------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from grader.model import ErrorInfo, Probe  # noqa: E402
from grader.runner.channel import Collector  # noqa: E402

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROBES = ["p1", "p2", "load:a.py"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(1 << 70), max_value=1 << 70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e308, 10 ** 400, -(10 ** 30)]),
    st.text(max_size=20), st.sampled_from(PROBES + ["a.py", "nan", "inf", "float64", "\ud800"]))
json_ish = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.builds(lambda v: {"__float__": v}, inner | st.sampled_from(["nan", "inf", "-inf", "pi"])),
        st.dictionaries(st.sampled_from(["kind", "probe", "name", "value", "error", "output", "duration",
                                         "__float__", "__ndarray__", "dtype", "shape", "type", "message",
                                         "traceback", "missing"]) | st.text(max_size=5), inner, max_size=6)),
    max_leaves=12)
messages = st.fixed_dictionaries(
    {"kind": st.sampled_from([*wire.KINDS, "bogus"]) | json_ish},
    optional={"probe": st.sampled_from(PROBES) | json_ish, "name": st.sampled_from(["a.py"]) | json_ish,
              "output": st.text(max_size=30) | json_ish, "duration": json_ish, "value": json_ish,
              "error": st.fixed_dictionaries({}, optional={k: st.text(max_size=5) | json_ish for k in
                                                           ("type", "message", "traceback", "missing")}) | json_ish})


def raw_json(value: object) -> bytes:
    """JSON as a forger would write it: NaN, Infinity and huge numbers left bare."""
    return json.dumps(value, allow_nan=True).encode()


def valid_frames() -> list[bytes]:
    sample = [{"kind": "start", "probe": "p1"},
              {"kind": "observation", "probe": "p1", "value": {"a": np.arange(6.0).reshape(2, 3), "n": math.nan},
               "output": "hi", "duration": 0.5},
              {"kind": "load", "name": "a.py", "error": {"type": "E", "message": "m", "traceback": ""}},
              {"kind": "done"}]
    return [wire.encode(m) for m in sample]


def assert_collects(bodies: list[bytes]) -> None:
    """Each body decodes to a checked message or WireError; the Collector takes every message."""
    collector = Collector([Probe(p, "d") for p in PROBES[:2]], memory_mb=100, files=["a.py"])
    for body in bodies:
        try:
            msg = wire.decode_message(body)
        except wire.WireError:
            continue
        assert isinstance(msg["kind"], str) and msg["kind"] in wire.KINDS
        for key in ("probe", "name", "output"):
            assert key not in msg or isinstance(msg[key], str)
        assert "duration" not in msg or (isinstance(msg["duration"], float) and math.isfinite(msg["duration"]))
        collector.feed(msg)
    for pid, obs in collector.observations.items():
        assert pid in PROBES[:2] and obs.probe_id == pid and math.isfinite(obs.duration)
        assert obs.error is None or (isinstance(obs.error, ErrorInfo) and isinstance(obs.error.message, str))
    assert all(isinstance(load.name, str) and load.name == "a.py" for load in collector.loads)
    assert collector.current is None or isinstance(collector.current, str)


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    assert_collects([data])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, max_size=4))
def test_fuzz_json_shaped_messages(batch: list[object]) -> None:
    assert_collects([raw_json(m) for m in batch])


@FUZZ
@given(json_ish)
def test_fuzz_arbitrary_json_values(value: object) -> None:
    assert_collects([raw_json(value), raw_json({"kind": "observation", "probe": "p1", "value": value}),
                     raw_json({"kind": "observation", "probe": "p2", "error": value, "duration": value})])


@FUZZ
@given(st.integers(0, 3), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255), st.sampled_from(
    ["flip", "insert", "delete"])), min_size=1, max_size=4))
def test_fuzz_mutated_valid_frames(which: int, edits: list[tuple[int, int, str]]) -> None:
    body = bytearray(valid_frames()[which])
    for pos, byte, how in edits:
        pos %= len(body) + 1
        if how == "insert":
            body[pos:pos] = bytes([byte])
        elif pos < len(body):
            if how == "flip":
                body[pos] ^= byte or 1
            else:
                del body[pos]
    assert_collects([bytes(body)])


@FUZZ
@given(st.lists(st.integers(0, 3) | st.integers(-(1 << 70), 1 << 70), max_size=70),
       st.sampled_from(sorted(codec._DTYPES)), st.text(alphabet="AQIDBA=+/", max_size=40))
def test_fuzz_array_headers(shape: list[int], dtype: str, data: str) -> None:
    node = {"__ndarray__": data, "dtype": dtype, "shape": shape}
    try:
        out = wire.decode(raw_json(node))
    except wire.WireError:
        return
    assert isinstance(out, np.ndarray) and list(out.shape) == shape and out.size <= wire.MAX_ARRAY_ELEMENTS


def test_fuzz_frames_through_pop_frames() -> None:
    good = b"".join(wire.FRAME_HEADER.pack(len(b)) + b for b in valid_frames())
    buffer = bytearray(good)
    assert [m["kind"] for m in wire.pop_frames(buffer, 1 << 20)] == ["start", "observation", "load", "done"]
    with pytest.raises(wire.WireError):
        wire.pop_frames(bytearray(wire.FRAME_HEADER.pack(4) + b'[1e9'), 1 << 20)
    with pytest.raises(wire.WireError):
        wire.pop_frames(bytearray(wire.FRAME_HEADER.pack(1 << 21)), 1 << 20)


@pytest.mark.parametrize("message", [
    {"kind": "observation", "probe": ["p1"]}, {"kind": "observation", "probe": {"a": 1}},
    {"kind": "start", "probe": 3}, {"kind": ["start"]}, {"kind": "load", "name": None},
    {"kind": "observation", "probe": "p1", "duration": 1e300 * 10}, {"kind": "observation", "probe": "p1",
                                                                       "duration": -1},
    {"kind": "observation", "probe": "p1", "duration": True}, {"kind": "observation", "probe": "p1", "error": []},
    {"kind": "observation", "probe": "p1", "error": {"type": ["x"]}}, {"kind": "load", "name": "a.py", "output": 5},
    {"kind": "observation", "probe": "x" * 1001},
])
def test_decode_message_refuses_wrong_types(message: dict[str, object]) -> None:
    with pytest.raises(wire.WireError):
        wire.decode_message(raw_json(message))


def test_decode_message_keeps_what_is_present() -> None:
    assert wire.decode_message(b'{"kind": "start", "probe": "a", "extra": [1]}') == {"kind": "start", "probe": "a"}
    msg = wire.decode_message(raw_json({"kind": "observation", "probe": "p", "duration": 2, "value": [1],
                                        "error": {"type": "T", "message": "m"}}))
    assert msg == {"kind": "observation", "probe": "p", "duration": 2.0, "value": [1],
                   "error": {"type": "T", "message": "m", "traceback": ""}}
