"""A two-layer ReLU network with a softmax loss, trained by mini-batch gradient descent.

Chapter 7 (:ref:`ch7-network`).  Samples in rows, as in cs231n and seed 003:

.. math:: Z^{(1)} = X W^{(1)} + b^{(1)}, \\quad A^{(1)} = \\mathrm{relu}(Z^{(1)}),
    \\quad Z^{(2)} = A^{(1)} W^{(2)} + b^{(2)},

    L = \\frac{1}{N} \\sum_i -\\log \\mathrm{softmax}(Z^{(2)})_{i, y_i}
        + \\lambda\\,(\\lVert W^{(1)} \\rVert^2 + \\lVert W^{(2)} \\rVert^2).

In code ``W1, b1, W2, b2`` are the parameters, ``scores`` is :math:`Z^{(2)}` and
``reg`` is :math:`\\lambda`.  The backward pass chains the layers' backward functions
(:mod:`companion.layers`) and the loss's gradient (:mod:`companion.losses`), which
call the same VJPs as the engine: nothing here re-derives a gradient.
:func:`load_digits_split` prepares the handwritten digits the chapter trains on.
"""

from __future__ import annotations

import math
import sys
import warnings
from typing import NamedTuple

import numpy as np
from tqdm import tqdm

from . import layers, losses
from .errors import ShapeError, require_finite, require_labels

__all__ = ["TwoLayerNet", "TrainingWarning", "TrainingDiverged", "DEFAULT_REG", "DigitsSplit",
           "load_digits_split"]

#: The default L2 strength of :meth:`TwoLayerNet.loss` and :meth:`TwoLayerNet.train`: no
#: penalty, so that ``loss`` returns the data loss unless asked otherwise.
DEFAULT_REG = 0.0


class TrainingWarning(UserWarning):
    """A training run that ended without learning, or whose loss grew."""


class TrainingDiverged(FloatingPointError):
    """The loss became non-finite during :meth:`TwoLayerNet.train`.

    Attributes
    ----------
    history : dict, the per-epoch history of the epochs completed before it
        happened (the same keys as :meth:`TwoLayerNet.train` returns).
    epoch : int, the epoch in which the loss became non-finite.
    """

    def __init__(self, message: str, history: dict, epoch: int):
        super().__init__(message)
        self.history = history
        self.epoch = epoch


def _size(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"TwoLayerNet: {name} must be a whole number, got {value!r} "
                        f"({type(value).__name__}); write e.g. TwoLayerNet(2, 32, 2)")
    if value < 1:
        raise ValueError(f"TwoLayerNet: {name} must be at least 1, got {value}; "
                         f"a layer with no units has nothing to learn")
    return int(value)


class TwoLayerNet:
    """``input -> affine -> relu -> affine -> softmax``, with L2 regularization.

    Parameters
    ----------
    input_size : D, hidden_size : H, output_size : C (whole numbers >= 1).
    std : float or None, standard deviation of the Gaussian initial weights.
        ``None`` (the default) uses He initialisation, ``sqrt(2 / fan_in)``:
        ``sqrt(2 / D)`` for ``W1`` and ``sqrt(2 / H)`` for ``W2``, which keeps the
        scores of a fresh network of order 1 whatever the sizes.  Biases start at 0.
    seed : int, for the initial weights.

    Attributes
    ----------
    params : dict with ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 std: float | None = None, seed: int = 0):
        D = _size("input_size", input_size)
        H = _size("hidden_size", hidden_size)
        C = _size("output_size", output_size)
        std1, std2 = (np.sqrt(2.0 / D), np.sqrt(2.0 / H)) if std is None else (std, std)
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": std1 * rng.standard_normal((D, H)),
            "b1": np.zeros(H),
            "W2": std2 * rng.standard_normal((H, C)),
            "b2": np.zeros(C),
        }

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(D, H, C)``."""
        D, H = self.params["W1"].shape
        return D, H, self.params["W2"].shape[1]

    def _check_X(self, op: str, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        D = self.sizes[0]
        if X.ndim != 2 or X.shape[1] != D:
            raise ShapeError(op, {"X": X.shape}, f"X must be (N, {D}): one sample per row")
        require_finite(op, "X", X)
        return X

    def _check_y(self, op: str, X, y) -> np.ndarray:
        return require_labels(op, y, self.sizes[2], of=("X", X.shape))

    def loss(self, X, y=None, reg: float = DEFAULT_REG):
        """Scores, or the loss and its gradients.

        Inputs: ``X`` (N, D); ``y`` (N,) integer labels in ``0..C-1``, optional; ``reg``
        (:math:`\\lambda`, default :data:`DEFAULT_REG`, the same as :meth:`train`'s).
        Returns: without ``y``, the scores (N, C); with ``y``, ``(loss, grads)`` where
        ``grads`` has the keys of ``params`` (eqs. ``ch7-eq-dW2`` ... ``ch7-eq-db1``).
        """
        X = self._check_X("TwoLayerNet.loss", X)
        if y is not None:
            y = self._check_y("TwoLayerNet.loss", X, y)
        return self._loss(X, y, reg)

    def _loss(self, X, y, reg):
        """:meth:`loss` without the input checks (``X`` and ``y`` already validated).

        The forward layers and the loss are their unchecked kernels (no scan for
        NaNs: the parameters are the network's own, and every intermediate array
        is computed from checked inputs); the backward layers check only shapes,
        in constant time.
        """
        p = self.params
        S1, cache1 = layers._affine_forward(X, p["W1"], p["b1"])
        H, cache_relu = layers.relu_forward(S1)
        S2, cache2 = layers._affine_forward(H, p["W2"], p["b2"])
        if y is None:
            return S2
        data_loss, dS2 = losses._softmax_cross_entropy(S2, y)
        reg_loss, (dW1_reg, dW2_reg) = losses.l2_penalty(reg, p["W1"], p["W2"])
        dH, dW2, db2 = layers.affine_backward(dS2, cache2)
        dS1 = layers.relu_backward(dH, cache_relu)
        _, dW1, db1 = layers.affine_backward(dS1, cache1)
        grads = {"W1": dW1 + dW1_reg, "b1": db1, "W2": dW2 + dW2_reg, "b2": db2}
        return data_loss + reg_loss, grads

    def predict(self, X) -> np.ndarray:
        """The class with the highest score for each row of ``X``: shape (N,)."""
        return np.argmax(self.loss(X), axis=1)

    def accuracy(self, X, y) -> float:
        """Fraction of rows of ``X`` whose predicted class is ``y``."""
        X = self._check_X("TwoLayerNet.accuracy", X)
        y = self._check_y("TwoLayerNet.accuracy", X, y)
        return self._accuracy(X, y)

    def _accuracy(self, X, y) -> float:
        """:meth:`accuracy` without the input checks."""
        return float(np.mean(np.argmax(self._loss(X, None, 0.0), axis=1) == y))

    def train(self, X, y, X_val=None, y_val=None, *, learning_rate: float = 0.3,
              learning_rate_decay: float = 0.99, reg: float = DEFAULT_REG, epochs: int = 100,
              batch_size: int = 64, seed: int = 0, print_every: int = 0,
              progress: bool | None = None) -> dict:
        """Mini-batch gradient descent; the learning rate is multiplied by the decay each epoch.

        Each epoch visits the training rows once in a seeded random order.
        ``print_every=k`` prints a fixed, rounded summary line every ``k`` epochs
        (deterministic, for notebooks); ``progress=True`` draws tqdm's progress
        bar (epochs done, time left, the last loss) on stderr, in a terminal and
        in Jupyter; by default it is drawn only when stderr is a terminal, so a
        notebook prints nothing unless asked.  The defaults learn a
        small problem such as scikit-learn's two moons (>= 90% test accuracy).

        Returns a history dict of per-epoch lists: ``loss`` (mean training loss
        over the epoch's batches), ``train_acc``, ``val_acc`` (if validation data
        is given) and ``learning_rate``.

        Raises :class:`TrainingDiverged` if the loss becomes non-finite (the
        history so far is its ``.history``; the parameters are left as they were
        then, unusable).  Warns with :class:`TrainingWarning` if the final loss
        stays within 1e-3 of ``log C`` (no better than guessing) or ends above
        the first epoch's.
        """
        op = "TwoLayerNet.train"
        X = self._check_X(op, X)
        y = self._check_y(op, X, y)
        if (X_val is None) != (y_val is None):
            given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
            raise ValueError(f"{op}: {given} was given without {missing}; pass both, "
                             f"train(X, y, X_val, y_val), or neither")
        if X_val is not None:
            X_val = self._check_X(op, X_val)
            y_val = self._check_y(op, X_val, y_val)
        if progress is None:
            progress = sys.stderr.isatty()
        rng = np.random.default_rng(seed)
        N = X.shape[0]
        history = {"loss": [], "train_acc": [], "val_acc": [], "learning_rate": []}
        lr = float(learning_rate)
        bar = tqdm(total=epochs, desc="train", unit="epoch", disable=not progress,
                   file=sys.stderr, dynamic_ncols=True)
        # A diverging run overflows on its way to a non-finite loss: numpy's warnings
        # are silenced here because the loss of every batch is checked instead.
        with bar, np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(1, epochs + 1):
                order = rng.permutation(N)
                batch_losses = []
                for i in range(0, N, batch_size):
                    rows = order[i:i + batch_size]
                    loss, grads = self._loss(X[rows], y[rows], reg)  # checked once, above
                    if not math.isfinite(loss):
                        raise self._diverged(epoch, learning_rate, history)
                    batch_losses.append(loss)
                    for name, g in grads.items():
                        self.params[name] -= lr * g
                history["loss"].append(float(np.mean(batch_losses)))
                history["train_acc"].append(self._accuracy(X, y))
                if X_val is not None:
                    history["val_acc"].append(self._accuracy(X_val, y_val))
                history["learning_rate"].append(lr)
                lr *= learning_rate_decay
                bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", refresh=False)
                bar.update()
                if print_every and (epoch % print_every == 0 or epoch == epochs):
                    line = (f"epoch {epoch:3d}/{epochs}: loss {history['loss'][-1]:.4f}, "
                            f"train acc {history['train_acc'][-1]:.3f}")
                    if X_val is not None:
                        line += f", val acc {history['val_acc'][-1]:.3f}"
                    bar.write(line) if progress else print(line)
        self._warn_if_not_learning(history, learning_rate, epochs)
        return history

    def _diverged(self, epoch: int, learning_rate: float, history: dict) -> TrainingDiverged:
        return TrainingDiverged(
            f"TwoLayerNet.train: loss became non-finite at epoch {epoch} (the history "
            f"of the {epoch - 1} epochs before is this error's .history); lower "
            f"learning_rate (was {learning_rate:g})", history, epoch)

    def _warn_if_not_learning(self, history: dict, learning_rate: float, epochs: int) -> None:
        if not history["loss"]:
            return
        final, first = history["loss"][-1], history["loss"][0]
        chance = math.log(self.sizes[2])
        if abs(final - chance) <= 1e-3:
            warnings.warn(
                f"TwoLayerNet.train: the loss ended at {final:.4f}, within 1e-3 of "
                f"log C = {chance:.4f}, the loss of guessing uniformly: the network "
                f"has not learned.  Try a larger learning_rate (was {learning_rate:g}), "
                f"more epochs (was {epochs}) or the default std.",
                TrainingWarning, stacklevel=3)
        elif epochs > 1 and final > first:
            warnings.warn(
                f"TwoLayerNet.train: the loss grew from {first:.4g} (epoch 1) to "
                f"{final:.4g} (epoch {epochs}); lower learning_rate (was "
                f"{learning_rate:g}).", TrainingWarning, stacklevel=3)


class DigitsSplit(NamedTuple):
    """The digits, split and centred: see :func:`load_digits_split`."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean_image: np.ndarray


def load_digits_split() -> DigitsSplit:
    """scikit-learn's 1797 handwritten digits (8 x 8 pixels), prepared as in chapter 7.

    A stratified test set of 25% is held out, then a stratified validation set of 20%
    of the rest (``random_state=0`` for both); pixels are divided by 16 so that they
    lie in [0, 1], and the *training* mean image is subtracted from all three sets.

    Returns a :class:`DigitsSplit`: ``X_train`` (1077, 64), ``X_val`` (270, 64),
    ``X_test`` (450, 64), one image per row; ``y_*`` the integer labels 0..9;
    ``mean_image`` (64,), to add back for display.  The data ship with scikit-learn
    (no download).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X_all, y_all = digits.data / 16.0, digits.target
    X_rest, X_test, y_rest, y_test = train_test_split(
        X_all, y_all, test_size=0.25, random_state=0, stratify=y_all)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=0.2, random_state=0, stratify=y_rest)
    mean_image = X_train.mean(axis=0)
    return DigitsSplit(X_train - mean_image, y_train, X_val - mean_image, y_val,
                       X_test - mean_image, y_test, mean_image)
