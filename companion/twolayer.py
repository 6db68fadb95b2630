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

import sys
import time
from typing import NamedTuple

import numpy as np

from . import layers, losses
from .errors import ShapeError, require_finite, require_labels

__all__ = ["TwoLayerNet", "DigitsSplit", "load_digits_split"]


class TwoLayerNet:
    """``input -> affine -> relu -> affine -> softmax``, with L2 regularization.

    Parameters
    ----------
    input_size : D, hidden_size : H, output_size : C.
    std : float, standard deviation of the Gaussian initial weights (biases start at 0).
    seed : int, for the initial weights.

    Attributes
    ----------
    params : dict with ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 std: float = 1e-4, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
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
        y = np.asarray(y)
        if y.dtype.kind not in "iu":
            raise TypeError(f"{op}: labels y must be integers (class indices), got dtype "
                            f"{y.dtype}")
        if y.shape != (X.shape[0],):
            raise ShapeError(op, {"X": X.shape, "y": y.shape}, "one label per row of X")
        require_labels(op, y, self.sizes[2])
        return y

    def loss(self, X, y=None, reg: float = 0.0):
        """Scores, or the loss and its gradients.

        Inputs: ``X`` (N, D); ``y`` (N,) integer labels in ``0..C-1``, optional; ``reg``.
        Returns: without ``y``, the scores (N, C); with ``y``, ``(loss, grads)`` where
        ``grads`` has the keys of ``params`` (eqs. ``ch7-eq-dW2`` ... ``ch7-eq-db1``).
        """
        X = self._check_X("TwoLayerNet.loss", X)
        if y is not None:
            y = self._check_y("TwoLayerNet.loss", X, y)
        return self._loss(X, y, reg)

    def _loss(self, X, y, reg):
        """:meth:`loss` without the input checks (``X`` and ``y`` already validated)."""
        p = self.params
        S1, cache1 = layers.affine_forward(X, p["W1"], p["b1"])
        H, cache_relu = layers.relu_forward(S1)
        S2, cache2 = layers.affine_forward(H, p["W2"], p["b2"])
        if y is None:
            return S2
        data_loss, dS2 = losses.softmax_cross_entropy(S2, y)
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
        return float(np.mean(np.argmax(self._loss(X, None, 0.0), axis=1) == y))

    def train(self, X, y, X_val=None, y_val=None, *, learning_rate: float = 0.1,
              learning_rate_decay: float = 0.95, reg: float = 1e-4, epochs: int = 20,
              batch_size: int = 64, seed: int = 0, print_every: int = 0,
              progress: bool | None = None) -> dict:
        """Mini-batch gradient descent; the learning rate is multiplied by the decay each epoch.

        Each epoch visits the training rows once in a seeded random order.
        ``print_every=k`` prints a fixed, rounded summary line every ``k`` epochs
        (deterministic, for notebooks); ``progress`` draws a progress bar on
        stderr, by default only when stderr is a terminal.

        Returns a history dict of per-epoch lists: ``loss`` (mean training loss
        over the epoch's batches), ``train_acc``, ``val_acc`` (if validation data
        is given) and ``learning_rate``.
        """
        X = self._check_X("TwoLayerNet.train", X)
        y = self._check_y("TwoLayerNet.train", X, y)
        if X_val is not None:
            X_val = self._check_X("TwoLayerNet.train", X_val)
            y_val = self._check_y("TwoLayerNet.train", X_val, y_val)
        if progress is None:
            progress = sys.stderr.isatty()
        rng = np.random.default_rng(seed)
        N = X.shape[0]
        history = {"loss": [], "train_acc": [], "val_acc": [], "learning_rate": []}
        lr = float(learning_rate)
        start = time.perf_counter()
        for epoch in range(1, epochs + 1):
            order = rng.permutation(N)
            batch_losses = []
            for i in range(0, N, batch_size):
                rows = order[i:i + batch_size]
                loss, grads = self._loss(X[rows], y[rows], reg)  # checked once, above
                batch_losses.append(loss)
                for name, g in grads.items():
                    self.params[name] -= lr * g
            history["loss"].append(float(np.mean(batch_losses)))
            history["train_acc"].append(self.accuracy(X, y))
            if X_val is not None:
                history["val_acc"].append(self.accuracy(X_val, y_val))
            history["learning_rate"].append(lr)
            lr *= learning_rate_decay
            if progress:
                _progress_bar(epoch, epochs, history, time.perf_counter() - start)
            if print_every and (epoch % print_every == 0 or epoch == epochs):
                line = (f"epoch {epoch:3d}/{epochs}: loss {history['loss'][-1]:.4f}, "
                        f"train acc {history['train_acc'][-1]:.3f}")
                if X_val is not None:
                    line += f", val acc {history['val_acc'][-1]:.3f}"
                print(line)
        if progress:
            sys.stderr.write("\n")
        return history


def _progress_bar(epoch: int, epochs: int, history: dict, seconds: float) -> None:
    width = 30
    done = int(width * epoch / epochs)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] epoch {epoch}/{epochs} "
                     f"loss {history['loss'][-1]:.4f} ({seconds:.1f} s)")
    sys.stderr.flush()


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
