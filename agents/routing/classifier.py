"""A small softmax regression over sentence vectors: which route a vector belongs to.

Nearest-neighbour search on SmolLM2's mean-pooled vectors routes poorly (its vectors
crowd in one narrow cone: every cosine is about 0.8), but a linear classifier trained
on the examples' standardised vectors separates the routes well (measured in
bench/routing.py). A few hundred examples train in a fraction of a second.
"""

from __future__ import annotations

import numpy as np

#: L2 penalty and plain gradient-descent steps: chosen on the dev set (0.003 to 0.1 alike).
L2 = 0.01
STEPS = 500
LEARNING_RATE = 0.1


class SoftmaxRegression:
    """Multinomial logistic regression on standardised features."""

    def __init__(self, vectors: np.ndarray, labels: np.ndarray, classes: int) -> None:
        """Fit on ``vectors`` (one row per example) and ``labels`` (0 to classes - 1)."""
        self._mean = vectors.mean(axis=0)
        self._scale = vectors.std(axis=0) + 1e-6
        x = self._standard(vectors)
        y = np.eye(classes)[labels]
        self._weights = np.zeros((x.shape[1], classes))
        self._bias = np.zeros(classes)
        for _ in range(STEPS):
            grad = _softmax(x @ self._weights + self._bias) - y
            self._weights -= LEARNING_RATE * (x.T @ grad / len(x) + L2 * self._weights)
            self._bias -= LEARNING_RATE * grad.mean(axis=0)

    def _standard(self, vectors: np.ndarray) -> np.ndarray:
        return (vectors - self._mean) / self._scale

    def log_proba(self, vector: np.ndarray) -> np.ndarray:
        """Log-probability of each class for one vector."""
        z = self._standard(vector) @ self._weights + self._bias
        z = z - z.max()
        return z - np.log(np.exp(z).sum())


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
