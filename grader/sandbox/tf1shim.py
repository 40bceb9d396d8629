"""Let the lesson's TensorFlow 1 code run unchanged inside the worker.

Student code written for TF 1 says `import tensorflow as tf` and then uses
`tf.placeholder`, `tf.Session`, `tf.nn.dropout(x, keep_prob)`, ... and reads
MNIST with `from tensorflow.examples.tutorials.mnist import input_data`.

`install()` (called by the worker before it loads student files) wraps
`builtins.__import__` so that an import statement executed by *student code*
(a module loaded by the worker's `StudentCode` loader) gets:

- `tensorflow`: a module that answers every name from `tensorflow.compat.v1`
  (v2 behaviour off), plus a few pre-1.0 aliases the lesson era still used;
- `tensorflow.examples.tutorials.mnist.input_data`: `read_data_sets` backed by
  the packaged MNIST sample (grader.data; no download);
- `tensorflow.contrib...`: a clear ImportError (removed in TF 2).

Every other importer (TensorFlow itself, numpy, drivers, the grader) goes
through the untouched import, and `sys.modules["tensorflow"]` stays the real
package, so `import tensorflow` means TF 2 everywhere outside student code.
Nothing is installed outside a worker process.

Known gap: `importlib.import_module("tensorflow")` called by student code
bypasses `__import__` and yields real TF 2.
"""

from __future__ import annotations

import builtins
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# TF 1 names the lesson uses; tests/test_tf1shim.py proves each resolves through the shim.
SUPPORTED: tuple[str, ...] = (
    "placeholder", "Session", "InteractiveSession", "Variable", "constant", "zeros", "ones",
    "random_normal", "truncated_normal", "reset_default_graph", "global_variables_initializer",
    "initialize_all_variables", "set_random_seed", "matmul", "add", "reduce_mean", "reduce_sum",
    "argmax", "equal", "cast", "float32", "reshape", "get_variable", "variable_scope",
    "layers.dense", "layers.dropout", "layers.flatten", "glorot_uniform_initializer",
    "nn.relu", "nn.dropout", "nn.softmax", "nn.softmax_cross_entropy_with_logits", "nn.l2_loss",
    "train.Saver", "train.GradientDescentOptimizer", "train.AdamOptimizer",
    "train.import_meta_graph", "train.latest_checkpoint",
    "sub", "mul", "neg", "pack", "unpack", "select",  # pre-1.0 spellings, mapped to their successors
    "examples.tutorials.mnist.input_data.read_data_sets",
)
# Names that cannot work here, with what the student is told.
UNSUPPORTED: dict[str, str] = {
    "contrib": "tf.contrib was removed in TensorFlow 2 and is not available in the grader. Use what "
               "replaced it: tf.layers.dense / tf.layers.dropout / tf.layers.flatten instead of "
               "tf.contrib.layers.fully_connected / dropout / flatten, tf.nn.l2_loss(w) * beta instead "
               "of tf.contrib.layers.l2_regularizer(beta)(w), tf.glorot_uniform_initializer() instead of "
               "tf.contrib.layers.xavier_initializer().",
    "examples.tutorials.mnist.input_data.maybe_download":
        "downloading is not possible in the grader; read_data_sets uses the packaged MNIST sample.",
}

# Pre-1.0 spellings still found in lesson-era code.
OLD_NAMES: dict[str, str] = {
    "sub": "subtract", "mul": "multiply", "neg": "negative",
    "pack": "stack", "unpack": "unstack", "select": "where",
}

_real_import: Callable[..., Any] | None = None
_modules: dict[str, types.ModuleType] = {}
_student_loader: type | None = None


class _TF1Module(types.ModuleType):
    """`tensorflow` as TF 1 code sees it: tensorflow.compat.v1, plus old aliases."""

    def __init__(self, v1: Any, real: Any) -> None:
        super().__init__("tensorflow", "TensorFlow seen through tensorflow.compat.v1 (grader TF1 shim).")
        self._v1 = v1
        self._real = real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name not in ("__version__",):
            raise AttributeError(name)
        if name in UNSUPPORTED:
            raise AttributeError(UNSUPPORTED[name])
        if name in OLD_NAMES:
            return getattr(self._v1, OLD_NAMES[name])
        try:
            return getattr(self._v1, name)
        except AttributeError:
            # e.g. __version__: fall back to the real package's value.
            return getattr(self._real, name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._v1)) | set(OLD_NAMES) | {"examples"})


def _read_data_sets(train_dir: str = ".", *args: Any, **kwargs: Any) -> Any:
    """The lesson's `input_data.read_data_sets`, served from the packaged sample."""
    from grader import data

    return data.read_data_sets(train_dir, *args, **kwargs)


def _no_download(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(UNSUPPORTED["examples.tutorials.mnist.input_data.maybe_download"])


def _build_modules() -> dict[str, types.ModuleType]:
    import tensorflow as real  # the real package, already imported by the worker's parent

    from grader.sandbox.tfsupport import tf1

    top = _TF1Module(tf1(), real)
    # `import tensorflow.compat.v1 as tf` walks top.compat.v1: make that the very module drivers use.
    top.compat = real.compat  # type: ignore[attr-defined]
    chain = ["tensorflow.examples", "tensorflow.examples.tutorials", "tensorflow.examples.tutorials.mnist"]
    mods: dict[str, types.ModuleType] = {"tensorflow": top}
    parent: types.ModuleType = top
    for full in chain:
        mod = types.ModuleType(full)
        setattr(parent, full.rsplit(".", 1)[1], mod)  # _TF1Module allows plain attributes too
        mods[full] = parent = mod
    input_data = types.ModuleType("tensorflow.examples.tutorials.mnist.input_data",
                                  "MNIST for the lesson's code: the grader's packaged sample.")
    input_data.read_data_sets = _read_data_sets  # type: ignore[attr-defined]
    input_data.maybe_download = _no_download  # type: ignore[attr-defined]
    parent.input_data = input_data  # type: ignore[attr-defined]
    mods[input_data.__name__] = input_data
    return mods


def _is_student(globals_: Mapping[str, Any] | None) -> bool:
    """Is this import statement running in a module the worker loaded from the submission?"""
    if not globals_ or _student_loader is None:
        return False
    return isinstance(globals_.get("__loader__"), _student_loader)


def _student_import(name: str, fromlist: Sequence[str] | None) -> types.ModuleType:
    assert _real_import is not None
    if name == "tensorflow.contrib" or name.startswith("tensorflow.contrib."):
        raise ImportError(UNSUPPORTED["contrib"], name=name)
    leaf = _modules.get(name)
    if leaf is None:
        # Real submodules (tensorflow.compat.v1, tensorflow.keras, ...) import as usual.
        leaf = _real_import(name, None, None, ["__name__"], 0)
    return leaf if fromlist else _modules["tensorflow"]


def _import(name: str, globals: Mapping[str, Any] | None = None, locals: Mapping[str, Any] | None = None,
            fromlist: Sequence[str] | None = (), level: int = 0) -> Any:
    assert _real_import is not None
    if level == 0 and (name == "tensorflow" or name.startswith("tensorflow.")) and _is_student(globals):
        return _student_import(name, fromlist)
    return _real_import(name, globals, locals, fromlist, level)


def install() -> None:
    """Make student code's `import tensorflow` mean TF 1 (worker processes only; idempotent)."""
    global _real_import, _student_loader
    if _real_import is not None:
        return
    from grader.sandbox.student import StudentCode

    _student_loader = StudentCode  # looked up once: an import here would recurse through _import
    # tf.layers.* and friends warn "is deprecated" on every call: noise in the student's output.
    warnings.filterwarnings("ignore", message=r".*is deprecated and will be removed in a future version")
    _modules.update(_build_modules())
    _real_import = builtins.__import__
    builtins.__import__ = _import


def installed() -> bool:
    return _real_import is not None
