"""A fully connected network in the notation of Nielsen's chapter 2, as the notes (seed 004)
write it.

Chapter 5 (:ref:`ch5-network`).  Samples are *columns*.  Layer ``l`` computes

.. math:: z^l = (w^l)^\\top a^{l-1} + b^l, \\qquad a^l = \\sigma(z^l),

where ``w^l[k, j]`` (seed 004's :math:`w^l_{kj}`) is the weight from neuron ``k``
of layer ``l-1`` to neuron ``j`` of layer ``l``, so ``w^l`` has shape
``(size of layer l-1, size of layer l)``, and ``b^l`` is a column ``(n_l, 1)``.
With this indexing the four equations of backpropagation read

* BP1  ``delta^L = grad_a C * sigma'(z^L)``
* BP2  ``delta^l = (w^{l+1} delta^{l+1}) * sigma'(z^l)`` (no transpose)
* BP3  ``dC/db^l = delta^l``
* BP4  ``dC/dw^l = a^{l-1} (delta^l)^T``

and for a batch (columns are samples, ``C`` the mean cost over the ``m`` samples)
BP3b ``dC/db^l = delta^l 1`` and BP4b ``dC/dw^l = a^{l-1} (delta^l)^T``, with
the ``1/m`` applied once, in ``grad_a C`` (BP1b).  Multiplying by ``sigma'(z)``
is the VJP of the activation, taken from the catalogue (:mod:`companion.vjps`).

Costs: ``"quadratic"`` is ``1/2 ||a^L - t||^2`` per sample; ``"cross_entropy"``
puts a softmax on the output layer and uses ``-sum_j t_j log a^L_j`` with one-hot
``t`` (or integer labels), for which BP1 becomes ``delta^L = a^L - t`` (chapter 6).
"""

from __future__ import annotations

import numpy as np

from . import vjps
from .errors import ShapeError, require_finite, require_labels

__all__ = ["Network", "ACTIVATIONS", "layer_values", "loss_from_layer", "loss_of_parameter",
           "sigmoid_prime"]

# name -> (sigma, VJP of sigma): the VJP multiplies an upstream gradient by sigma'(z).
ACTIVATIONS = {
    "sigmoid": (vjps.sigmoid, vjps.sigmoid_vjp),
    "tanh": (vjps.tanh, vjps.tanh_vjp),
    "relu": (vjps.relu, vjps.relu_vjp),
}
COSTS = ("quadratic", "cross_entropy")


class Network:
    """A fully connected network with samples in columns (seed 004's notation).

    Parameters
    ----------
    sizes : list of int, neurons per layer, input first, e.g. ``[3, 5, 2]``.
    activation : ``"sigmoid"``, ``"tanh"`` or ``"relu"`` for the hidden layers (and
        the output layer under the quadratic cost).
    cost : ``"quadratic"`` or ``"cross_entropy"`` (softmax output).
    seed : int, for the Gaussian initial weights (scaled by ``1/sqrt(fan-in)``) and biases.

    Attributes
    ----------
    weights : list of ``w^l``, shape ``(sizes[l-1], sizes[l])``, ``w^l[k, j] = w^l_kj``:
        the transpose of the book's :math:`W^{(l)}` (chapter 5), the row form's layout.
    biases : list of ``b^l``, shape ``(sizes[l], 1)``.
    """

    def __init__(self, sizes, activation: str = "sigmoid", cost: str = "quadratic",
                 seed: int = 0):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"Network: sizes must list at least two layer sizes >= 1, "
                             f"got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"Network: activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {activation!r}")
        if cost not in COSTS:
            raise ValueError(f"Network: cost must be one of {COSTS}, got {cost!r}")
        rng = np.random.default_rng(seed)
        self.sizes = sizes
        self.activation = activation
        self.cost = cost
        self.weights = [rng.standard_normal((k, j)) / np.sqrt(k)
                        for k, j in zip(sizes[:-1], sizes[1:])]
        self.biases = [rng.standard_normal((j, 1)) for j in sizes[1:]]

    # -- forward -----------------------------------------------------------------------
    def _check_inputs(self, op: str, X, T=None):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] != self.sizes[0]:
            raise ShapeError(op, {"x": X.shape},
                             f"inputs are columns: x must be ({self.sizes[0]}, m), one column "
                             "per sample")
        require_finite(op, "x", X)
        if T is None:
            return X, None
        T = np.asarray(T)
        n_out = self.sizes[-1]
        if T.ndim == 1 and T.dtype.kind in "iu":  # integer labels, one per column of X
            require_labels(op, T, n_out, of=("x", X.shape), per="column")
            onehot = np.zeros((n_out, T.shape[0]))
            onehot[T, np.arange(T.shape[0])] = 1.0
            return X, onehot
        T = T.astype(np.float64)
        if T.shape != (n_out, X.shape[1]):
            raise ShapeError(op, {"x": X.shape, "t": T.shape},
                             f"targets are columns: t must be ({n_out}, {X.shape[1]}), or "
                             f"integer labels of shape ({X.shape[1]},)")
        require_finite(op, "t", T)
        if self.cost == "cross_entropy" and not (np.all((T == 0) | (T == 1)) and
                                                 np.all(T.sum(axis=0) == 1)):
            raise ValueError(f"{op}: with the cross-entropy cost each target column must be "
                             "one-hot (a single 1), or pass integer labels")
        return X, T

    @staticmethod
    def _labels(T) -> np.ndarray:
        """Integer labels from one-hot target columns."""
        return np.argmax(T, axis=0)

    def _forward(self, X):
        """All ``z^l`` and ``a^l`` for inputs ``X`` (columns); ``a^0 = X``."""
        sigma, _ = ACTIVATIONS[self.activation]
        activations, zs = [X], []
        for l, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            z = w.T @ activations[-1] + b
            zs.append(z)
            last = l == len(self.weights)
            if last and self.cost == "cross_entropy":
                activations.append(np.exp(vjps.log_softmax(z.T)).T)  # softmax over neurons
            else:
                activations.append(sigma(z))
        return zs, activations

    def feedforward(self, x):
        """The output ``a^L`` for inputs ``x`` of shape ``(sizes[0], m)`` (columns)."""
        X, _ = self._check_inputs("feedforward", x)
        return self._forward(X)[1][-1]

    def cost_value(self, X, T) -> float:
        """The cost averaged over the columns of ``X``."""
        X, T = self._check_inputs("cost_value", X, T)
        zs, _ = self._forward(X)
        return _output_loss(self, "cost_value", zs[-1], T)

    # -- backward ----------------------------------------------------------------------
    def _backward(self, X, T):
        N = X.shape[1]
        _, sigma_vjp = ACTIVATIONS[self.activation]
        zs, activations = self._forward(X)
        aL = activations[-1]
        if self.cost == "cross_entropy":
            # BP1, softmax + cross-entropy: delta = (a - t) / N, by the
            # catalogue's VJP, which takes samples in rows (hence the .T)
            labels = self._labels(T)
            delta = vjps.softmax_cross_entropy_vjp(1.0, None, zs[-1].T,
                                                   y=labels).T
        else:
            grad_a = (aL - T) / N  # BP1b: the 1/N of the mean, applied once
            delta = sigma_vjp(grad_a, aL, zs[-1])  # BP1: grad_a L * sigma'(z)
        grad_b = [None] * len(self.weights)
        grad_w = [None] * len(self.weights)
        for l in range(len(self.weights) - 1, -1, -1):
            grad_b[l] = delta.sum(axis=1, keepdims=True)  # BP3(b): delta 1
            grad_w[l] = activations[l] @ delta.T  # BP4(b), stored transposed
            if l > 0:
                # BP2: weights[l] holds W^(l+1) transposed: W^T delta * sigma'
                g = self.weights[l] @ delta
                delta = sigma_vjp(g, activations[l], zs[l - 1])
        return grad_b, grad_w

    def backprop(self, x, t):
        """Gradients of the cost of one sample: ``(grad_b, grad_w)`` by BP1-BP4.

        ``x`` is a column ``(sizes[0], 1)``, ``t`` a column ``(sizes[-1], 1)`` (one-hot
        for the cross-entropy cost) or an integer label, which becomes a one-hot
        target under either cost (as Nielsen does for the quadratic cost on digits).
        The lists are shaped like ``biases`` and ``weights``.
        """
        X = np.asarray(x, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 1:
            raise ShapeError("backprop", {"x": X.shape},
                             f"one sample is a column ({self.sizes[0]}, 1); use backprop_batch "
                             "for several")
        if np.ndim(t) == 0:
            t = np.array([t])
        X, T = self._check_inputs("backprop", X, t)
        return self._backward(X, T)

    def backprop_batch(self, X, T):
        """Gradients of the cost averaged over a batch, samples in columns (BP1b-BP4b).

        ``X`` is ``(sizes[0], m)``; ``T`` is ``(sizes[-1], m)`` or integer labels ``(m,)``
        (made one-hot under either cost).
        Returns ``(grad_b, grad_w)`` shaped like ``biases`` and ``weights``.
        """
        X, T = self._check_inputs("backprop_batch", X, T)
        return self._backward(X, T)


# -- chapter 5's checks, in the book's notation ------------------------------------------------
#
# The book writes layer l as z^(l) = W^(l) a^(l-1) + b^(l), with W^(l) of shape (n_l, n_{l-1})
# (destination first); ``Network.weights[l-1]`` holds its transpose, the layout of the row form.


def sigmoid_prime(z):
    """The sigmoid's derivative entry by entry, :math:`\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))`.

    Chapter 5 (BP1, BP2).  ``z`` is any array; the result has its shape.
    """
    s = vjps.sigmoid(np.asarray(z, dtype=np.float64))
    return vjps.sigmoid_vjp(1.0, s, z)  # the catalogue's sigma' = sigma (1 - sigma)


def layer_values(net, X):
    """Every weighted input and activation, indexed like the book (chapter 5).

    ``X`` is ``(n_0, N)``, one sample per column.  Returns ``(zs, acts)``: ``zs[l]`` is
    :math:`z^{(l)}` for ``l = 1 .. K`` (``zs[0]`` is None: there is no :math:`z^{(0)}`) and
    ``acts[l]`` is :math:`a^{(l)}`, ``acts[0] = X``; each has shape ``(n_l, N)``.
    """
    X, _ = net._check_inputs("layer_values", X)
    zs, acts = net._forward(X)
    return [None] + zs, acts


def _output_loss(net, op, z_out, T):
    """The mean loss over the columns of ``z_out``, the output layer's weighted inputs.

    The one place the network's cost is written: :meth:`Network.cost_value` and
    :func:`loss_from_layer` both end here.
    """
    n_out, N = z_out.shape
    if net.cost == "cross_entropy":
        T = np.asarray(T)
        labels = T if T.ndim == 1 else Network._labels(T)
        if labels.shape != (N,):
            raise ShapeError(op, {"z": z_out.shape, "t": T.shape},
                             f"targets are ({n_out}, {N}) one-hot columns or ({N},) labels")
        return float(vjps.softmax_cross_entropy(z_out.T, y=labels))
    T = np.asarray(T, dtype=np.float64)
    if T.shape != z_out.shape:
        raise ShapeError(op, {"z": z_out.shape, "t": T.shape},
                         f"targets are columns of the output's shape ({n_out}, {N})")
    sigma, _ = ACTIVATIONS[net.activation]
    return float(0.5 * np.sum((sigma(z_out) - T) ** 2) / N)


def loss_from_layer(net, l, z, T) -> float:
    """The loss as a function of :math:`z^{(l)}` alone (chapter 5, :ref:`ch5-one-sample`).

    Applies the activation to ``z`` (shape ``(n_l, N)``, one sample per column), then
    layers ``l+1 .. K``, and returns the loss averaged over the columns against the
    targets ``T`` (``(n_K, N)``, or integer labels under the cross-entropy cost).  Its
    gradient with respect to ``z`` is the error :math:`\\delta^{(l)}` of one sample
    (:math:`\\Delta^{(l)}` for a batch): the definition a numerical check can use.
    """
    K = len(net.weights)
    if not 1 <= l <= K:
        raise ValueError(f"loss_from_layer: l must be a layer 1 .. {K}, got {l}")
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or z.shape[0] != net.sizes[l]:
        raise ShapeError("loss_from_layer", {"z": z.shape},
                         f"z^({l}) has one column per sample: ({net.sizes[l]}, N)")
    sigma, _ = ACTIVATIONS[net.activation]
    for w, b in zip(net.weights[l:], net.biases[l:]):  # layers l+1 .. K
        z = w.T @ sigma(z) + b
    return _output_loss(net, "loss_from_layer", z, T)


def loss_of_parameter(net, X, T, name: str, l: int):
    """The loss as a function of :math:`W^{(l)}` or :math:`b^{(l)}` alone (chapter 5).

    ``name`` is ``"W"`` (the function takes :math:`W^{(l)}` in the book's layout,
    ``(n_l, n_{l-1})``, the transpose of ``net.weights[l-1]``) or ``"b"`` (a column
    ``(n_l, 1)``).  The returned function evaluates ``net.cost_value(X, T)``, the loss
    averaged over the columns of ``X``, with that parameter replaced and every other one
    held fixed; the network is unchanged afterwards.
    """
    K = len(net.weights)
    if name not in ("W", "b") or not 1 <= l <= K:
        raise ValueError(f"loss_of_parameter: name must be 'W' or 'b' and l a layer 1 .. {K}, "
                         f"got {name!r}, {l}")
    params = net.weights if name == "W" else net.biases
    shape = params[l - 1].T.shape if name == "W" else params[l - 1].shape

    def loss(value):
        value = np.asarray(value, dtype=np.float64)
        if value.shape != shape:
            raise ShapeError("loss_of_parameter", {f"{name}^({l})": value.shape},
                             f"{name}^({l}) has shape {shape}")
        saved = params[l - 1]
        params[l - 1] = value.T if name == "W" else value
        try:
            return net.cost_value(X, T)
        finally:
            params[l - 1] = saved

    return loss

