"""Profile-likelihood intervals of GLM coefficients, as R's ``confint()`` on a glm.

For coefficient ``j`` the profile is the signed root of the scaled deviance difference

.. math::

    z_j(b) = \\operatorname{sign}(b - \\hat\\beta_j)
             \\sqrt{(D_j(b) - D(\\hat\\beta)) / \\phi}

where ``D_j(b)`` is the deviance minimised over the other coefficients with
``beta_j = b`` held fixed (its column moved into the offset), and ``phi`` the dispersion
(1 for Poisson and NB2, the Pearson ``chi2 / df`` for quasipoisson). The interval is
``{b : |z_j(b)| <= q}`` with ``q`` the normal (or Student t) quantile of the level.
That is MASS's ``profile.glm`` / ``confint.glm`` (R 4.2; in ``stats`` since R 4.4):
it holds NB2's theta fixed at its estimate, as here. R locates the crossing by spline
interpolation of ``z`` on a grid; here it is found by root finding, which agrees with
R to the interpolation error (about 1e-6 relative on the tests' data sets).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

__all__ = ["profile_intervals"]


def _family(family: str, alpha: float | None):
    import statsmodels.api as sm
    if family == "negbin":
        return sm.families.NegativeBinomial(alpha=float(alpha))
    return sm.families.Poisson()


def profile_intervals(*, family: str, endog, exog: pd.DataFrame, offset, params: pd.Series,
                      se: pd.Series, crit: float, scale: float = 1.0, alpha: float | None = None,
                      names=None) -> pd.DataFrame:
    """Profile-likelihood limits (log scale) for the coefficients ``names`` (default all).

    Parameters
    ----------
    family : {"poisson", "quasipoisson", "negbin"}
    endog, exog, offset
        The model's data (``exog`` with one column per coefficient).
    params, se : pandas.Series
        Estimates and their (Wald) standard errors; the errors only set the search steps.
    crit : float
        Critical value ``q`` of the signed root (``qnorm(1 - (1 - level) / 2)``).
    scale : float
        Dispersion ``phi`` dividing the deviance difference.
    alpha : float, optional
        NB2 alpha (held fixed), for ``family="negbin"``.

    Returns
    -------
    pandas.DataFrame
        Index ``names``, columns ``low`` and ``high`` (NaN where the profile never
        reaches ``crit``, e.g. a term at the edge of the parameter space).
    """
    import statsmodels.api as sm

    fam = _family(family, alpha)
    y = np.asarray(endog, float)
    X = exog.to_numpy(float)
    off = np.asarray(offset, float)
    b_hat = params.to_numpy(float)
    mu0 = np.exp(X @ b_hat + off)
    dev0 = float(fam.deviance(y, mu0))
    names = list(exog.columns) if names is None else list(names)
    out = pd.DataFrame(index=pd.Index(names, dtype="str"), columns=["low", "high"], dtype=float)
    for name in names:
        j = list(exog.columns).index(name)
        others = [i for i in range(X.shape[1]) if i != j]
        Xo = X[:, others]
        start = {"p": b_hat[others]}

        def z(b, sign):
            o = off + X[:, j] * b
            if Xo.shape[1] == 0:
                mu = np.exp(o)
            else:
                r = sm.GLM(y, Xo, family=fam, offset=o).fit(start_params=start["p"], tol=1e-13,
                                                              maxiter=200)
                start["p"] = np.asarray(r.params, float)
                mu = np.asarray(r.fittedvalues, float)
            d = (float(fam.deviance(y, mu)) - dev0) / scale
            return sign * np.sqrt(max(d, 0.0))

        step = float(se.iloc[j]) if np.isfinite(se.iloc[j]) and se.iloc[j] > 0 else 1.0
        for col, sign in (("low", -1.0), ("high", 1.0)):
            start["p"] = b_hat[others]
            lo, hi, found = 0.0, crit, False
            for _ in range(40):  # bracket: |z| reaches crit within hi steps of one se
                with np.errstate(all="ignore"):
                    zz = abs(z(b_hat[j] + sign * hi * step, sign))
                if np.isfinite(zz) and zz >= crit:
                    found = True
                    break
                lo, hi = hi, hi * 1.5
            if not found:
                continue
            start["p"] = b_hat[others]
            root = optimize.brentq(lambda u: abs(z(b_hat[j] + sign * u * step, sign)) - crit,
                                   lo, hi, xtol=1e-13, rtol=1e-13)
            out.loc[name, col] = b_hat[j] + sign * root * step
    return out
