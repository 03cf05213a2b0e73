"""Smooth acyclicity functions h(W) with their gradients.

Each function takes a real (d, d) weight matrix ``W`` (``W[i, j]`` is the weight of the
edge ``i -> j``) and returns ``(h, grad)`` where ``h >= 0`` and ``h == 0`` exactly when
the support of ``W`` is a directed acyclic graph (DAG), and ``grad`` is the gradient of
``h`` with respect to ``W`` (same shape as ``W``).

* :func:`trace_expm` -- trace of the matrix exponential (NOTEARS; Zheng et al., 2018).
* :func:`logdet` -- log-determinant of an M-matrix (DAGMA; Bello et al., 2022).

Exact zero on DAGs
------------------
Both characterisations are zero on a DAG in exact arithmetic, but a floating-point
matrix exponential or log-determinant returns ``±1e-16``-sized residue instead. The
functions therefore first test the *support* of ``A = W ∘ W`` for directed cycles (a
strongly-connected-components pass in C, linear in the number of edges; an entry whose
square underflows to zero is no edge). When the support is acyclic they return
``h = 0.0`` and a gradient of exact zeros -- both are exact: ``A`` is then nilpotent, so
``tr(exp(A)) = d`` and ``det(sI - A) = s^d``, and every entry of the gradient is
``W[i, j]`` times a sum over directed paths ``j -> ... -> i``, which cannot exist in a
DAG containing ``i -> j``. Only a cyclic support reaches the dense linear algebra.

References
----------
.. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS: Continuous
   optimization for structure learning", NeurIPS 2018.
.. [2] K. Bello, B. Aragam and P. Ravikumar, "DAGMA: Learning DAGs via M-matrices and a
   log-determinant acyclicity characterization", NeurIPS 2022.
"""

import numpy as np
import scipy.linalg

__all__ = ["logdet", "trace_expm"]

_EPS = np.finfo(np.float64).eps
# Multiple of d * eps * max(exp(A))^2 beyond which tr(exp(A)) - d is not rounding error.
_ROUNDING_FACTOR = 1e3


def _as_square(W) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square 2-D matrix; got shape {W.shape}.")
    return W


def _support_is_acyclic(A: np.ndarray) -> bool:
    """Whether the non-zero pattern of ``A`` is a DAG (a self-loop counts as a cycle).

    Peels off source nodes (no incoming edge among the remaining nodes) until none is
    left (a DAG) or every remaining node has a parent (a cycle). On the cyclic
    matrices met during optimisation this stops at the first pass, several times
    faster than a strongly-connected-components pass.
    """
    if np.any(np.diagonal(A) != 0):
        return False
    support = A != 0
    if not support.any():
        return True
    alive = np.arange(A.shape[0])
    while alive.size:
        sources = ~support[np.ix_(alive, alive)].any(axis=0)
        if not sources.any():
            return False
        alive = alive[~sources]
    return True


def trace_expm(W) -> tuple[float, np.ndarray]:
    """Trace-exponential acyclicity function of NOTEARS and its gradient.

    ``h(W) = tr(exp(W ∘ W)) - d`` and ``∇h(W) = exp(W ∘ W)^T ∘ 2W`` [1]_, where ``∘``
    is the elementwise product. ``h`` is non-negative and zero exactly on DAGs.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j]`` the weight of the edge ``i -> j``.

    Returns
    -------
    h : float
        The acyclicity value; exactly ``0.0`` when the support of ``W`` is a DAG (see
        the module notes), otherwise ``tr(exp(W ∘ W)) - d`` computed with
        :func:`scipy.linalg.expm` (absolute accuracy about ``d * eps * max diag``),
        clipped at zero from below.
    grad : ndarray of shape (d, d)
        The gradient of ``h`` with respect to ``W``; exact zeros on DAGs.

    References
    ----------
    .. [1] X. Zheng, B. Aragam, P. Ravikumar and E. P. Xing, "DAGs with NO TEARS:
       Continuous optimization for structure learning", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._acyclicity import trace_expm
    >>> chain = np.array([[0.0, 1.5], [0.0, 0.0]])
    >>> trace_expm(chain)[0]
    0.0
    >>> h, grad = trace_expm(chain + chain.T)  # a 2-cycle: 2 cosh(1.5**2) - 2
    >>> round(h, 4)
    7.5931
    """
    W = _as_square(W)
    A = W * W
    with np.errstate(over="ignore", invalid="ignore"):
        E = scipy.linalg.expm(A)
        h = float((E.diagonal() - 1.0).sum())
    if not np.isfinite(h):
        # exp(W ∘ W) overflows: h is +inf, which tells a line search to step back.
        return np.inf, np.zeros_like(W)
    # Rounding alone cannot push h this far above zero, so the support has a cycle and
    # the structural test (the costlier part for small d) can be skipped.
    if h > _ROUNDING_FACTOR * W.shape[0] * _EPS * E.max() ** 2:
        return h, E.T * (2.0 * W)
    if _support_is_acyclic(A):
        return 0.0, np.zeros_like(W)
    return max(h, 0.0), E.T * (2.0 * W)


def logdet(W, s: float = 1.0) -> tuple[float, np.ndarray]:
    """Log-determinant acyclicity function of DAGMA and its gradient.

    ``h(W) = -log det(sI - W ∘ W) + d log s`` and
    ``∇h(W) = 2 W ∘ (sI - W ∘ W)^{-T}`` [1]_. On the domain where ``sI - W ∘ W`` is a
    non-singular M-matrix (spectral radius of ``W ∘ W`` below ``s``), ``h`` is
    non-negative and zero exactly on DAGs.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j]`` the weight of the edge ``i -> j``.
    s : float, default=1.0
        The log-det parameter; must be positive.

    Returns
    -------
    h : float
        The acyclicity value; exactly ``0.0`` when the support of ``W`` is a DAG (then
        ``det(sI - W ∘ W) = s^d`` for every ``s > 0``).
    grad : ndarray of shape (d, d)
        The gradient of ``h`` with respect to ``W``; exact zeros on DAGs.

    Raises
    ------
    ValueError
        If ``s <= 0`` or ``W`` lies outside the M-matrix domain:
        ``det(sI - W ∘ W) <= 0`` or its inverse has a negative entry (the inverse of a
        non-singular M-matrix is entrywise non-negative). Optimisers react by shrinking
        their step or increasing ``s``.

    References
    ----------
    .. [1] K. Bello, B. Aragam and P. Ravikumar, "DAGMA: Learning DAGs via M-matrices
       and a log-determinant acyclicity characterization", NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal._acyclicity import logdet
    >>> chain = np.array([[0.0, 0.5], [0.0, 0.0]])
    >>> logdet(chain)[0]
    0.0
    >>> h, grad = logdet(chain + chain.T)  # a 2-cycle: -log(1 - 0.5**4)
    >>> round(h, 6)
    0.064539
    """
    W = _as_square(W)
    if not s > 0:
        raise ValueError(f"s must be positive; got s={s!r}.")
    d = W.shape[0]
    A = W * W
    if _support_is_acyclic(A):
        return 0.0, np.zeros_like(W)
    M = s * np.eye(d) - A
    sign, log_abs_det = np.linalg.slogdet(M)
    if sign <= 0:
        raise ValueError(
            f"sI - W∘W is not an M-matrix for s={s}: its determinant is not positive "
            "(the spectral radius of W∘W is at least s)."
        )
    M_inv = np.linalg.inv(M)
    if M_inv.min() < -1e-8 * max(1.0, M_inv.max()):
        raise ValueError(
            f"sI - W∘W is not an M-matrix for s={s}: its inverse has negative entries "
            "(the spectral radius of W∘W is at least s)."
        )
    h = float(d * np.log(s) - log_abs_det)
    return max(h, 0.0), 2.0 * W * M_inv.T
