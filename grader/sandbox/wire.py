"""A small, pickle-free format for plain data crossing the worker boundary.

Workers run hostile code, so what they send back is parsed as data only:
JSON, with numpy arrays as base64 of a whitelisted dtype and non-finite floats
spelled out. `decode` rejects anything else, and caps size and depth.

Decoding is total: any byte string gives plain data or a `WireError`, never
another exception. Integers are bounded (int64/uint64 range), bare numbers are
finite (NaN and infinities travel only as tagged `__float__` nodes), arrays
have a sane rank and size, and text is valid Unicode (lone surrogates are
replaced). `decode_message` adds the schema of worker messages on top.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
from typing import Any

import numpy as np

FRAME_HEADER = struct.Struct(">I")  # each message on a channel: 4-byte big-endian length, then the body
MAX_DEPTH = 32
MAX_ARRAY_ELEMENTS = 5_000_000
MAX_RANK = 32             # numpy allows 64; no observation needs more than a few
INT_LIMIT = 1 << 64       # |n| < 2**64: every int64 and uint64 fits, nothing beyond
_INT_DIGITS = 21          # longer literals are refused before int() parses them
_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64",
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class WireError(ValueError):
    """The bytes are not well-formed plain data."""


def to_jsonable(value: Any, depth: int = 0) -> Any:
    """Turn plain data into JSON-encodable values (arrays become tagged dicts)."""
    if depth > MAX_DEPTH:
        raise WireError("data nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not -INT_LIMIT < int(value) < INT_LIMIT:
            raise WireError("integers beyond 64 bits cannot be sent")
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isfinite(f):
            return f
        return {"__float__": "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf")}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        if value.dtype.name not in _DTYPES:
            raise WireError(f"arrays of dtype {value.dtype} cannot be sent")
        if value.ndim > MAX_RANK or value.size > MAX_ARRAY_ELEMENTS:
            raise WireError(f"an array of shape {list(value.shape)[:MAX_RANK]} is too large to send")
        data = np.ascontiguousarray(value)
        return {
            "__ndarray__": base64.b64encode(data.tobytes()).decode("ascii"),
            "dtype": data.dtype.name,
            "shape": list(data.shape),
        }
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise WireError("dictionary keys must be strings")
            out[k] = to_jsonable(v, depth + 1)
        return out
    raise WireError(f"cannot send a value of type {type(value).__name__}")


def encode(value: Any) -> bytes:
    return json.dumps(to_jsonable(value), allow_nan=False).encode("utf-8")


def _text(s: str) -> str:
    """`s` with lone surrogates replaced, so it can always be written as UTF-8."""
    if s.isascii():
        return s
    return _SURROGATE.sub("\ufffd", s)


def from_jsonable(value: Any, depth: int = 0) -> Any:
    """Inverse of `to_jsonable`, validating every node."""
    if depth > MAX_DEPTH:
        raise WireError("data nested too deeply")
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if not -INT_LIMIT < value < INT_LIMIT:
            raise WireError("integer out of range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise WireError("bare non-finite number")
        return value
    if isinstance(value, list):
        return [from_jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if "__float__" in value:
            name = value["__float__"]
            if set(value) != {"__float__"} or not isinstance(name, str) or name not in _FLOATS:
                raise WireError("malformed float")
            return _FLOATS[name]
        if "__ndarray__" in value:
            return _decode_array(value)
        return {_text(str(k)): from_jsonable(v, depth + 1) for k, v in value.items()}
    raise WireError(f"unexpected JSON value {type(value).__name__}")


def _shape(raw: Any) -> tuple[int, ...]:
    """A validated array shape: a short list of non-negative ints with a bounded product."""
    if not isinstance(raw, list) or len(raw) > MAX_RANK:
        raise WireError("malformed array shape")
    count = 1
    for n in raw:
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise WireError("malformed array shape")
        if n > MAX_ARRAY_ELEMENTS:
            raise WireError("array too large")
        count *= n  # both factors are bounded, so this never grows without limit
        if count > MAX_ARRAY_ELEMENTS:
            raise WireError("array too large")
    return tuple(raw)


def _decode_array(node: dict[str, Any]) -> np.ndarray:
    if set(node) != {"__ndarray__", "dtype", "shape"}:
        raise WireError("malformed array")
    dtype, data = node["dtype"], node["__ndarray__"]
    if not isinstance(dtype, str) or dtype not in _DTYPES or not isinstance(data, str):
        raise WireError("malformed array")
    shape = _shape(node["shape"])
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise WireError("malformed array data") from exc
    dt = np.dtype(dtype)
    if len(raw) != math.prod(shape) * dt.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def _parse_int(text: str) -> int:
    # Python refuses int literals over 4300 digits with a ValueError; refuse far earlier.
    if len(text) > _INT_DIGITS:
        raise WireError("integer out of range")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400
        raise WireError("number out of range")
    return value


def _parse_constant(text: str) -> float:
    raise WireError(f"bare {text} is not plain data")


def decode(data: bytes, max_bytes: int = 64 * 1024 * 1024) -> Any:
    """Plain data from `data`, or WireError; never any other exception."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError("not bytes")
    if len(data) > max_bytes:
        raise WireError("message too large")
    try:
        parsed = json.loads(bytes(data).decode("utf-8"), parse_int=_parse_int, parse_float=_parse_float,
                            parse_constant=_parse_constant)
        return from_jsonable(parsed)
    except WireError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError, OverflowError) as exc:
        raise WireError(f"not valid plain data: {type(exc).__name__}: {str(exc)[:200]}") from exc


# -- worker messages -----------------------------------------------------------------
# What a worker sends (grader.sandbox.worker.run_job), one message per frame:
#   {"kind": "start", "probe": id}                      a probe or "load:<file>" begins
#   {"kind": "load", "name": file, "output"?, "duration"?, "error"?}
#   {"kind": "observation", "probe": id, "output"?, "duration"?, "value"?, "error"?}
#   {"kind": "done"}
# error = {"type": str, "message": str, "traceback": str, "missing"?: str}
KINDS = ("ready", "start", "load", "observation", "done")  # "ready": a portable worker has imported TensorFlow
MAX_ID = 1000             # characters in a probe id or file name
MAX_DURATION = 1e6        # seconds; a worker never lives this long
_ERROR_TEXT = ("type", "message", "traceback")


def _message_id(msg: dict[str, Any], key: str) -> str:
    value = msg.get(key)
    if not isinstance(value, str) or not value or len(value) > MAX_ID:
        raise WireError(f"a {msg['kind']} message needs a text {key}")
    return value


def _message_error(raw: Any) -> dict[str, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise WireError("an error report must be a dictionary")
    out: dict[str, str] = {}
    for key in (*_ERROR_TEXT, "missing"):
        value = raw.get(key)
        if value is None and key == "missing":
            continue
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise WireError(f"error {key} must be text")
        out[key] = value
    return out


def check_message(msg: Any) -> dict[str, Any]:
    """`msg` (decoded plain data) type-checked as a worker message; unknown keys are dropped.

    Only the keys present are returned, so the Collector's defaults still apply.
    """
    if not isinstance(msg, dict):
        raise WireError("a message must be a dictionary")
    kind = msg.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise WireError("unknown message kind")
    out: dict[str, Any] = {"kind": kind}
    if kind in ("start", "observation"):
        out["probe"] = _message_id(msg, "probe")
    if kind == "load":
        out["name"] = _message_id(msg, "name")
    if kind in ("load", "observation"):
        if "output" in msg:
            if not isinstance(msg["output"], str):
                raise WireError("output must be text")
            out["output"] = msg["output"]
        if "duration" in msg:
            d = msg["duration"]
            if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 <= d <= MAX_DURATION:
                raise WireError("duration must be a number of seconds")
            out["duration"] = float(d)
        if "error" in msg:
            out["error"] = _message_error(msg["error"])
    if kind == "observation" and "value" in msg:
        out["value"] = msg["value"]
    return out


def decode_message(data: bytes, max_bytes: int = 64 * 1024 * 1024) -> dict[str, Any]:
    """One frame's body as a type-checked worker message, or WireError (nothing else)."""
    return check_message(decode(data, max_bytes))


def pop_frames(buffer: bytearray, max_message: int) -> list[dict[str, Any]]:
    """Pop every complete frame off `buffer` as checked messages; a malformed one raises WireError."""
    out = []
    while len(buffer) >= FRAME_HEADER.size:
        (size,) = FRAME_HEADER.unpack_from(buffer)
        if size > max_message:
            raise WireError("message too large")
        if len(buffer) < FRAME_HEADER.size + size:
            break
        body = bytes(buffer[FRAME_HEADER.size:FRAME_HEADER.size + size])
        del buffer[:FRAME_HEADER.size + size]
        out.append(decode_message(body, max_message))
    return out
