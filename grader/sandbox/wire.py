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

import json
import math
import struct
from typing import Any

from grader.codec import (MAX_ARRAY_ELEMENTS, MAX_DEPTH, MAX_RANK, INT_LIMIT, CodecError, from_jsonable,
                          to_jsonable)

__all__ = ["MAX_ARRAY_ELEMENTS", "MAX_DEPTH", "MAX_RANK", "INT_LIMIT", "WireError", "from_jsonable", "to_jsonable"]

FRAME_HEADER = struct.Struct(">I")  # each message on a channel: 4-byte big-endian length, then the body
_INT_DIGITS = 21          # longer literals are refused before int() parses them

# The codec's error: one type, so a caller catching WireError also catches a bad stored value.
WireError = CodecError


def encode(value: Any) -> bytes:
    return json.dumps(to_jsonable(value), allow_nan=False).encode("utf-8")


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
