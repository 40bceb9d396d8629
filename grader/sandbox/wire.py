"""A small, pickle-free format for plain data crossing the worker boundary.

Workers run hostile code, so what they send back is parsed as data only:
JSON, with numpy arrays as base64 of a whitelisted dtype and non-finite floats
spelled out. `decode` rejects anything else, and caps size and depth.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

import numpy as np

FRAME_HEADER = struct.Struct(">I")  # each message on a channel: 4-byte big-endian length, then the body
MAX_DEPTH = 32
MAX_ARRAY_ELEMENTS = 5_000_000
_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64",
}
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


def from_jsonable(value: Any, depth: int = 0) -> Any:
    """Inverse of `to_jsonable`, validating every node."""
    if depth > MAX_DEPTH:
        raise WireError("data nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [from_jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if "__float__" in value:
            name = value["__float__"]
            if set(value) != {"__float__"} or name not in _FLOATS:
                raise WireError("malformed float")
            return _FLOATS[name]
        if "__ndarray__" in value:
            return _decode_array(value)
        return {str(k): from_jsonable(v, depth + 1) for k, v in value.items()}
    raise WireError(f"unexpected JSON value {type(value).__name__}")


def _decode_array(node: dict[str, Any]) -> np.ndarray:
    if set(node) != {"__ndarray__", "dtype", "shape"}:
        raise WireError("malformed array")
    dtype, shape, data = node["dtype"], node["shape"], node["__ndarray__"]
    if dtype not in _DTYPES or not isinstance(data, str) or not isinstance(shape, list):
        raise WireError("malformed array")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise WireError("malformed array shape")
    count = math.prod(shape)
    if count > MAX_ARRAY_ELEMENTS:
        raise WireError("array too large")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise WireError("malformed array data") from exc
    dt = np.dtype(dtype)
    if len(raw) != count * dt.itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def decode(data: bytes, max_bytes: int = 64 * 1024 * 1024) -> Any:
    if len(data) > max_bytes:
        raise WireError("message too large")
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"not valid JSON: {exc}") from exc
    return from_jsonable(parsed)
