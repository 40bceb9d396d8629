"""The JSON value codec: plain data (numbers, text, lists, dicts, numpy arrays) to JSON and back.

It sits at the bottom so that both sides may use it: the worker side sends observations through
it (`grader.sandbox.wire` frames its output), and storage keeps expected/got values and stored
observations in the same form, so arrays come back bit for bit. Decoding validates every node
(bounded integers, tagged non-finite floats, whitelisted dtypes, sane shapes and depth) and
raises only `CodecError`.
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

import numpy as np
MAX_DEPTH = 32
MAX_ARRAY_ELEMENTS = 5_000_000
MAX_RANK = 32             # numpy allows 64; no observation needs more than a few
INT_LIMIT = 1 << 64       # |n| < 2**64: every int64 and uint64 fits, nothing beyond
_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64",
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}



class CodecError(ValueError):
    """The value is not plain data (or not what `to_jsonable` writes)."""


def to_jsonable(value: Any, depth: int = 0) -> Any:
    """Turn plain data into JSON-encodable values (arrays become tagged dicts)."""
    if depth > MAX_DEPTH:
        raise CodecError("data nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not -INT_LIMIT < int(value) < INT_LIMIT:
            raise CodecError("integers beyond 64 bits cannot be sent")
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
            raise CodecError(f"arrays of dtype {value.dtype} cannot be sent")
        if value.ndim > MAX_RANK or value.size > MAX_ARRAY_ELEMENTS:
            raise CodecError(f"an array of shape {list(value.shape)[:MAX_RANK]} is too large to send")
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
                raise CodecError("dictionary keys must be strings")
            out[k] = to_jsonable(v, depth + 1)
        return out
    raise CodecError(f"cannot send a value of type {type(value).__name__}")


def _text(s: str) -> str:
    """`s` with lone surrogates replaced, so it can always be written as UTF-8."""
    if s.isascii():
        return s
    return _SURROGATE.sub("\ufffd", s)


def from_jsonable(value: Any, depth: int = 0) -> Any:
    """Inverse of `to_jsonable`, validating every node."""
    if depth > MAX_DEPTH:
        raise CodecError("data nested too deeply")
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if not -INT_LIMIT < value < INT_LIMIT:
            raise CodecError("integer out of range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CodecError("bare non-finite number")
        return value
    if isinstance(value, list):
        return [from_jsonable(v, depth + 1) for v in value]
    if isinstance(value, dict):
        if "__float__" in value:
            name = value["__float__"]
            if set(value) != {"__float__"} or not isinstance(name, str) or name not in _FLOATS:
                raise CodecError("malformed float")
            return _FLOATS[name]
        if "__ndarray__" in value:
            return _decode_array(value)
        return {_text(str(k)): from_jsonable(v, depth + 1) for k, v in value.items()}
    raise CodecError(f"unexpected JSON value {type(value).__name__}")


def _shape(raw: Any) -> tuple[int, ...]:
    """A validated array shape: a short list of non-negative ints with a bounded product."""
    if not isinstance(raw, list) or len(raw) > MAX_RANK:
        raise CodecError("malformed array shape")
    count = 1
    for n in raw:
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise CodecError("malformed array shape")
        if n > MAX_ARRAY_ELEMENTS:
            raise CodecError("array too large")
        count *= n  # both factors are bounded, so this never grows without limit
        if count > MAX_ARRAY_ELEMENTS:
            raise CodecError("array too large")
    return tuple(raw)


def _decode_array(node: dict[str, Any]) -> np.ndarray:
    if set(node) != {"__ndarray__", "dtype", "shape"}:
        raise CodecError("malformed array")
    dtype, data = node["dtype"], node["__ndarray__"]
    if not isinstance(dtype, str) or dtype not in _DTYPES or not isinstance(data, str):
        raise CodecError("malformed array")
    shape = _shape(node["shape"])
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise CodecError("malformed array data") from exc
    dt = np.dtype(dtype)
    if len(raw) != math.prod(shape) * dt.itemsize:
        raise CodecError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()
