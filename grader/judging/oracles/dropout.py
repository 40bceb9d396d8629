"""Exercise 7, dropout_model: mask matching, and the wrong models whose outputs are random too.

Dropout is random, and which units a TF version drops for a given seed is not
part of any contract. So no check compares with one fixed output: a row of
logits is right when SOME keep/drop mask over the hidden units explains it,

    row = (relu_hidden_row * mask / keep_prob) @ W_out + b_out,

and, over many rows, the kept fraction is plausibly keep_prob. Hidden units
whose ReLU is 0 cannot show their mask, so they are "don't care". Masks are
enumerated with numpy, which is why the hidden layers here stay narrow.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.judging.checks.base import Evidence, Fail
from grader.judging.oracles import lesson
from grader.judging.oracles.secret import rng
from grader.judging.messages import say

EXERCISE = "dropout"
LESSON_INPUTS: dict[str, Any] = lesson.network(lesson.DROPOUT_FEATURES)
# 40 runs of the quiz's 3 rows: 360 unit draws, enough to tell "never drops" from keep_prob 0.5.
LESSON_REPEATS = 40

# Tolerance for float32 logits, relative to the row's scale.
RTOL = 1e-4
# Kept fraction may stray this many binomial standard deviations from keep_prob:
# a correct model fails by chance far less than once in a million gradings.
SIGMAS = 6.0


@dataclass(frozen=True)
class Net:
    x: np.ndarray
    w0: np.ndarray
    b0: np.ndarray
    w1: np.ndarray
    b1: np.ndarray

    @classmethod
    def of(cls, inputs: dict[str, Any]) -> "Net":
        def f(a: Any) -> np.ndarray:
            return np.asarray(a, dtype=np.float64)
        return cls(f(inputs["features"]), f(inputs["weights"][0]), f(inputs["biases"][0]),
                   f(inputs["weights"][1]), f(inputs["biases"][1]))

    @property
    def z(self) -> np.ndarray:
        return self.x @ self.w0 + self.b0

    @property
    def hidden(self) -> np.ndarray:
        return np.maximum(self.z, 0.0)

    def plain(self) -> np.ndarray:
        """The deterministic ReLU model: what keep_prob 1.0 must give."""
        return self.hidden @ self.w1 + self.b1


def all_masks(n: int) -> np.ndarray:
    """Every 0/1 mask over n units, shape [2**n, n]."""
    return ((np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)


def _matches(candidates: np.ndarray, got: np.ndarray) -> np.ndarray:
    """candidates [rows, masks, out] vs got [rows, out] -> [rows, masks] booleans."""
    scale = 1.0 + np.max(np.abs(candidates), axis=-1, keepdims=True)
    return np.all(np.abs(candidates - got[:, None, :]) <= RTOL * scale, axis=-1)


def hidden_masks(net: Net, got: np.ndarray, scale: float) -> np.ndarray:
    """[rows, masks]: which hidden-unit masks explain each row at this scale."""
    masks = all_masks(net.w0.shape[1])
    cand = np.einsum("rh,mh,ho->rmo", net.hidden, masks * scale, net.w1) + net.b1
    return _matches(cand, got)


# Families of wrong models whose outputs are random too: each is enumerated the
# same way, so a wrong answer can be named even though no output is fixed.
Family = Callable[[Net, np.ndarray, float], np.ndarray]


def _inputs_dropped(net: Net, got: np.ndarray, keep_prob: float) -> np.ndarray:
    masks = all_masks(net.x.shape[1]) / keep_prob
    hidden = np.maximum(np.einsum("ri,mi,ih->rmh", net.x, masks, net.w0) + net.b0, 0.0)
    return _matches(hidden @ net.w1 + net.b1, got)


def _output_dropped(net: Net, got: np.ndarray, keep_prob: float) -> np.ndarray:
    masks = all_masks(net.w1.shape[1]) / keep_prob
    return _matches(net.plain()[:, None, :] * masks[None, :, :], got)


def _before_bias(net: Net, got: np.ndarray, keep_prob: float) -> np.ndarray:
    masks = all_masks(net.w0.shape[1]) / keep_prob
    hidden = np.maximum(np.einsum("rh,mh->rmh", net.x @ net.w0, masks) + net.b0, 0.0)
    return _matches(hidden @ net.w1 + net.b1, got)


def _no_dropout(net: Net, got: np.ndarray, keep_prob: float) -> np.ndarray:
    return _matches(net.plain()[:, None, :], got)


def _unscaled(net: Net, got: np.ndarray, keep_prob: float) -> np.ndarray:
    return hidden_masks(net, got, 1.0)


def _as_rate(net: Net, got: np.ndarray, keep_prob: float) -> np.ndarray:
    return hidden_masks(net, got, 1.0 / (1.0 - keep_prob)) if keep_prob < 1.0 else _no_dropout(net, got, 1.0)


def _fixed_half(net: Net, got: np.ndarray, keep_prob: float) -> np.ndarray:
    return hidden_masks(net, got, 2.0)


MISTAKES: dict[str, tuple[Family, Callable[[float], bool], str]] = {
    # id: (family, when it can be told apart from a right answer, message)
    "no_dropout": (_no_dropout, lambda kp: kp < 1.0,
                   say("no_dropout.dropout")),
    "keep_prob_as_rate": (_as_rate, lambda kp: abs(kp - 0.5) > 1e-9,
                          say("keep_prob_as_rate")),
    "keep_prob_ignored": (_fixed_half, lambda kp: abs(kp - 0.5) > 1e-9,
                          say("keep_prob_ignored.dropout")),
    "not_scaled": (_unscaled, lambda kp: kp < 1.0,
                   say("not_scaled")),
    "dropout_on_output": (_output_dropped, lambda kp: kp < 1.0,
                          say("dropout_on_output")),
    "dropout_on_inputs": (_inputs_dropped, lambda kp: kp < 1.0,
                          say("dropout_on_inputs")),
    "dropout_before_bias": (_before_bias, lambda kp: kp < 1.0,
                            say("dropout_before_bias")),
}


def _fail(message: str, *, safe: bool = False, **kw: Any) -> Fail:
    """A Fail with this module's tolerance; `safe` messages quote no inputs, so hidden checks show them."""
    if safe:
        kw.setdefault("student_message", message)
    return Fail(message, tolerance=(RTOL, RTOL), **kw)


def judge_plain(got: np.ndarray, want: np.ndarray, net: Net) -> None:
    """keep_prob 1.0 must give exactly the deterministic ReLU model."""
    _shape(got, want)
    if np.allclose(got, want, rtol=1e-5, atol=1e-5):
        return
    nothing_kept = _matches((np.zeros_like(want) + net.b1)[:, None, :], got)[:, 0]
    if nothing_kept.all() and (net.hidden > 1e-9).any():
        raise _fail(say("keep_prob_inverted"), mistake="keep_prob_inverted", expected=want, got=got, safe=True)
    if np.all(hidden_masks(net, got, 2.0).any(axis=1)):
        raise _fail(say("keep_prob_ignored"),
                   mistake="keep_prob_ignored", expected=want, got=got, safe=True)
    for mistake, candidate, message, hint in _model_mistakes(net):
        if candidate.shape == got.shape and np.allclose(got, candidate, rtol=1e-5, atol=1e-5) and not np.allclose(
                candidate, want, rtol=1e-5, atol=1e-5):
            raise _fail(message, mistake=mistake, expected=want, got=got, safe=True, hint=hint)
    raise _fail(say("keep_prob_one_changes_output"),
               mistake="keep_prob_one_changes_output", expected=want, got=got, safe=True)


def _model_mistakes(net: Net) -> list[tuple[str, np.ndarray, str, str]]:
    """The ReLU model's own known mistakes, as keep_prob 1.0 (no unit dropped) shows them."""
    leaky = np.where(net.z > 0, net.z, 0.2 * net.z) @ net.w1 + net.b1
    logits = net.plain()
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return [
        ("leaky_relu", leaky, "With keep_prob 1.0 the logits match a leaky ReLU (tf.nn.leaky_relu) on the hidden "
         "layer: the lesson's model uses tf.nn.relu, which sets negative values to 0.",
         "hidden = tf.nn.relu(...), then tf.nn.dropout(hidden, keep_prob)."),
        ("softmax_output", e / e.sum(axis=-1, keepdims=True), "With keep_prob 1.0 the output is softmax "
         "probabilities: dropout_model returns the logits, with no softmax after the output layer.",
         "Return the output layer itself; the softmax belongs in the loss."),
    ]


def _shape(got: np.ndarray, want: np.ndarray) -> None:
    if got.shape != want.shape:
        raise _fail(say("wrong_shape.dropout", got=list(got.shape), want=list(want.shape)),
                    mistake="wrong_shape", expected=want, got=got,
                    student_message=say("wrong_shape.student"))
    if not np.all(np.isfinite(got)):
        raise _fail(say("not_finite"), mistake="not_finite", expected=want, got=got, safe=True)


def judge_dropout(got: np.ndarray, net: Net, keep_prob: float) -> None:
    """Every row must come from a legitimate mask, and the kept fraction must fit keep_prob."""
    want = net.plain()
    _shape(got, want)
    fits = hidden_masks(net, got, 1.0 / keep_prob)
    explained = fits.any(axis=1)
    if not explained.all():
        for mistake, (family, visible, message) in MISTAKES.items():
            if visible(keep_prob) and family(net, got, keep_prob).any(axis=1).all():
                raise _fail(f"With keep_prob {keep_prob:g}: {message}", mistake=mistake, got=got, safe=True)
        bad = int(np.argmin(explained))
        rule = ("is not what any keep/drop mask on the ReLU hidden layer gives: each row should be "
                "(relu_hidden * mask / keep_prob) @ W_out + b_out.")
        raise _fail(say("not_a_dropout_mask", keep_prob=keep_prob, bad=bad, rule=rule), mistake="not_a_dropout_mask",
                    got=got, student_message=say("not_a_dropout_mask.student", keep_prob=keep_prob, rule=rule))
    # Count kept units where the mask is visible (ReLU > 0); take the first fitting mask per row.
    masks = all_masks(net.w0.shape[1])
    chosen = masks[np.argmax(fits, axis=1)]
    active = net.hidden > 1e-9
    n = int(active.sum())
    kept = int((chosen * active).sum())
    if n == 0 or keep_prob >= 1.0:
        return
    sd = math.sqrt(n * keep_prob * (1 - keep_prob))
    if abs(kept - n * keep_prob) > SIGMAS * sd + 1:
        fraction = kept / n
        if kept == n:
            raise _fail(say("never_drops", keep_prob=keep_prob, n_got=len(got)),
                       mistake="never_drops", got=got, safe=True)
        rule = f"far from {keep_prob:.0%}: each unit should be kept with probability keep_prob."
        raise _fail(say("wrong_keep_rate", keep_prob=keep_prob, fraction=fraction, n=n, rule=rule),
                    mistake="wrong_keep_rate", got=got,
                    student_message=say("wrong_keep_rate.student", keep_prob=keep_prob, fraction=fraction, rule=rule))


def logits_for(ev: Evidence, p: Any, index: int) -> np.ndarray:
    value = ev.value(p)
    if not isinstance(value, list) or len(value) <= index:
        raise _fail(say("wrong_type.logits_for"), mistake="wrong_type", safe=True)
    return _arr(value[index])


def _arr(value: Any) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    raise _fail(say("wrong_type.dropout_model"), mistake="wrong_type", safe=True)


def lesson_net(repeats: int = 1) -> Net:
    """The dropout quiz's network, its feature rows repeated (the public probe runs them 40 times)."""
    return Net.of({**LESSON_INPUTS, "features": np.tile(np.asarray(LESSON_INPUTS["features"]), (repeats, 1))})


HIDDEN_ROWS = 300


def hidden_inputs(seed: int, rows: int = HIDDEN_ROWS, n_in: int = 4, n_hidden: int = 4,
                  n_out: int = 4) -> dict[str, Any]:
    """Rows whose hidden pre-activations are all clearly away from 0, with nonzero biases.

    A unit whose ReLU is barely positive would make two masks look alike, so
    such rows are dropped; about a third of the units stay negative (don't care).
    """
    r = rng(seed, f"{EXERCISE}.hidden_rows")
    for _ in range(1000):
        w0 = np.round(r.normal(0, 1, (n_in, n_hidden)), 3)
        b0 = np.round(r.normal(0.3, 0.5, n_hidden), 3)
        w1 = np.round(r.normal(0, 1, (n_hidden, n_out)), 3)
        b1 = np.round(r.normal(0, 0.5, n_out), 3)
        x = np.round(r.normal(0.5, 1.5, (rows * 6, n_in)), 3)
        z = x @ w0 + b0
        x = x[np.all(np.abs(z) > 0.3, axis=1)][:rows]
        # Enough rows, and every hidden unit active in some of them, so every mask shows.
        if len(x) == rows and np.all((x @ w0 + b0 > 0).mean(axis=0) > 0.2):
            return {"features": x, "weights": [w0, w1], "biases": [b0, b1]}
    raise RuntimeError("no dropout inputs with every hidden unit visible were drawn")  # never seen: 1000 draws
