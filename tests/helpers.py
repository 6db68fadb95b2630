"""Small helpers shared by the package tests."""

import numpy as np


def loss_of_param(net, name, X, y, reg):
    """``TwoLayerNet`` loss as a function of one parameter ``params[name]`` (others fixed).

    The parameter is swapped in for the call and restored afterwards, so the
    network is unchanged whatever the function is called with.
    """
    def loss(value):
        old = net.params[name]
        net.params[name] = value
        try:
            return np.float64(net.loss(X, y, reg=reg)[0])
        finally:
            net.params[name] = old

    return loss
