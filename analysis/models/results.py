"""Frozen results of count models: terms table, predictions, summary, tests.

:class:`CountFit` is what :func:`analysis.models.fit_counts` and
:func:`analysis.models.fit_censored_poisson` return. It never refits and never prints.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .design import Design

__all__ = ["CountFit", "FitSummary", "TestResult", "Diagnostics", "TERM_COLUMNS", "critical_value"]

#: Columns of :attr:`CountFit.terms` (and of the CLI's ``terms`` objects).
TERM_COLUMNS = ("name", "estimate", "se", "rate_ratio", "ci_low", "ci_high", "p_value")


def critical_value(level: float, df: float | None = None) -> float:
    """Two-sided Wald critical value: normal, or Student t with ``df`` degrees of freedom."""
    q = 1 - (1 - level) / 2
    return float(stats.t.ppf(q, df)) if df is not None else float(stats.norm.ppf(q))


def terms_table(params: pd.Series, se: pd.Series, *, level: float, df: float | None = None) -> pd.DataFrame:
    """The tidy terms table from estimates and standard errors."""
    crit = critical_value(level, df)
    est = params.to_numpy(float)
    s = se.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / s
    p = 2 * (stats.t.sf(np.abs(z), df) if df is not None else stats.norm.sf(np.abs(z)))
    with np.errstate(over="ignore"):  # an unidentified term (warned about) may reach inf
        rr, lo, hi = np.exp(est), np.exp(est - crit * s), np.exp(est + crit * s)
    return pd.DataFrame({
        "name": pd.array(list(params.index), dtype="str"),
        "estimate": est,
        "se": s,
        "rate_ratio": rr,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": p,
    })


@dataclass(frozen=True)
class TestResult:
    """A test between two nested fits.

    Attributes
    ----------
    statistic : float
        Likelihood-ratio chi-square, or F.
    df : float
        Degrees of freedom (numerator for F).
    df_denom : float or None
        Denominator degrees of freedom (F only).
    p_value : float
    method : str
        ``"lr"``, ``"lr-boundary"`` (Poisson against negative binomial: the mixture
        ``0.5 chi2(df - 1) + 0.5 chi2(df)``, half a chi-square(1) when only alpha is added)
        or ``"F"``.
    """

    statistic: float
    df: float
    p_value: float
    method: str
    df_denom: float | None = None


@dataclass(frozen=True)
class Diagnostics:
    """Residual diagnostics of a fit.

    Attributes
    ----------
    dispersion : float
        Pearson chi-square / residual df (about 1 when the variance model holds).
    pearson_chi2 : float
    df_resid : float
    dispersion_p_value : float
        Upper tail of chi-square(df_resid) at ``pearson_chi2`` (test of over-dispersion).
    ljung_box : pandas.DataFrame
        ``lag, statistic, p_value`` of the Ljung-Box test on Pearson residuals.
    acf : numpy.ndarray
        Autocorrelation of Pearson residuals at lags 0..nlags.
    resid_pearson : numpy.ndarray
    """

    dispersion: float
    pearson_chi2: float
    df_resid: float
    dispersion_p_value: float
    ljung_box: pd.DataFrame
    acf: np.ndarray
    resid_pearson: np.ndarray


@dataclass(frozen=True)
class FitSummary:
    """A renderable summary: a header of ``(key, value)`` pairs and the terms table."""

    title: str
    info: tuple[tuple[str, str], ...]
    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def _fmt_table(self) -> pd.DataFrame:
        t = self.table.copy()
        for c in t.columns:
            if c == "p_value":
                t[c] = [("<0.0001" if v < 1e-4 else f"{v:.4f}") if np.isfinite(v) else "" for v in t[c]]
            elif c != "name":
                t[c] = [f"{v:.4g}" if np.isfinite(v) else "" for v in t[c]]
        return t.astype(str)

    def as_text(self) -> str:
        t = self._fmt_table()
        cols = list(t.columns)
        w = {c: max(len(c), *(len(v) for v in t[c])) if len(t) else len(c) for c in cols}
        kw = max((len(k) for k, _ in self.info), default=0)
        lines = [self.title, "=" * max(len(self.title), sum(w.values()) + 2 * (len(cols) - 1))]
        lines += [f"{k:<{kw}}  {v}" for k, v in self.info]
        lines.append("-" * len(lines[1]))
        lines.append("  ".join(c.ljust(w[c]) if c == "name" else c.rjust(w[c]) for c in cols))
        for _, r in t.iterrows():
            lines.append("  ".join(r[c].ljust(w[c]) if c == "name" else r[c].rjust(w[c]) for c in cols))
        lines.append("-" * len(lines[1]))
        lines += list(self.notes)
        return "\n".join(lines)

    def as_markdown(self) -> str:
        t = self._fmt_table()
        out = [f"**{self.title}**", ""]
        out += [f"- {k}: {v}" for k, v in self.info]
        out += ["", "| " + " | ".join(t.columns) + " |",
                "| " + " | ".join("---" if c == "name" else "---:" for c in t.columns) + " |"]
        for _, r in t.iterrows():
            out.append("| " + " | ".join(str(v).replace("|", "\\|") for v in r) + " |")
        if self.notes:
            out += [""] + [f"_{n}_" for n in self.notes]
        return "\n".join(out)

    def as_html(self) -> str:
        t = self._fmt_table()
        e = html.escape
        rows = ["<table class=\"incident-trends-summary\">", f"<caption>{e(self.title)}</caption>"]
        for k, v in self.info:
            rows.append(f"<tr><th colspan=\"2\">{e(k)}</th><td colspan=\"{len(t.columns) - 2}\">{e(v)}</td></tr>")
        rows.append("<tr>" + "".join(f"<th>{e(c)}</th>" for c in t.columns) + "</tr>")
        for _, r in t.iterrows():
            rows.append("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in r) + "</tr>")
        rows.append("</table>")
        rows += [f"<p>{e(n)}</p>" for n in self.notes]
        return "\n".join(rows)

    def as_latex(self) -> str:
        t = self._fmt_table()

        def esc(s: str) -> str:
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"),
                         ("#", r"\#"), ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("<", r"$<$")):
                s = s.replace(a, b)
            return s

        out = [r"\begin{table}[ht]", r"\centering", f"\\caption{{{esc(self.title)}}}",
               r"\begin{tabular}{l" + "r" * (len(t.columns) - 1) + "}", r"\hline"]
        out.append(" & ".join(esc(c) for c in t.columns) + r" \\")
        out.append(r"\hline")
        for _, r in t.iterrows():
            out.append(" & ".join(esc(str(v)) for v in r) + r" \\")
        out += [r"\hline", r"\end{tabular}"]
        info = "; ".join(f"{k}: {v}" for k, v in self.info)
        out.append(f"\\par\\small {esc(info)}")
        out.append(r"\end{table}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()


@dataclass(frozen=True)
class CountFit:
    """A fitted count model (frozen).

    Attributes
    ----------
    family : str
        ``poisson``, ``negbin``, ``quasipoisson`` or ``censored-poisson``.
    n : int
        Rows used.
    terms : pandas.DataFrame
        ``name, estimate, se, rate_ratio, ci_low, ci_high, p_value`` (log-scale estimates;
        intervals at ``level``, Wald or profile per ``ci``, normal quantile unless
        ``use_t``).
    params : pandas.Series
        Coefficients of the linear predictor (statsmodels' ``params``).
    cov : pandas.DataFrame
        Their covariance (model-based, HAC or scaled, per ``cov_type`` and family); for
        negbin the expected information with alpha at its estimate, as ``MASS::glm.nb``.
    alpha : float or None
        NB2 dispersion (``var = mu + alpha mu^2``), by maximum likelihood.
    alpha_se, alpha_ci : float, tuple or None
        Its standard error (``theta_se / theta^2``) and Wald interval on the log scale.
    theta, theta_se : float or None
        ``1 / alpha`` and its standard error, R's ``glm.nb`` ``theta`` and ``SE.theta``.
    dispersion : float
        The dispersion the inference uses, R's ``summary(fit)$dispersion``: 1 for
        poisson, negbin and censored-poisson, the Pearson chi-square over residual df
        for quasipoisson.
    pearson_chi2, pearson_dispersion : float or None
        The Pearson statistic and Pearson chi-square / df, a diagnostic of
        over-dispersion (about 1 when the variance model holds) for every family.
    llf, aic, bic : float or None
        Log-likelihood and information criteria (``k`` counts ``alpha`` for negbin);
        None for quasipoisson, which has no likelihood (R reports NA).
    ci : {"wald", "profile"}
        How the intervals of ``terms`` were computed.
    """

    family: str
    n: int
    terms: pd.DataFrame
    params: pd.Series
    cov: pd.DataFrame
    design: Design = field(repr=False)
    endog: np.ndarray = field(repr=False)
    exposure: np.ndarray = field(repr=False)
    start: pd.DatetimeIndex = field(repr=False)
    end: pd.DatetimeIndex = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    llf: float | None
    aic: float | None
    bic: float | None
    dispersion: float | None
    pearson_chi2: float | None
    df_resid: float
    cov_type: str = "nonrobust"
    level: float = 0.95
    alpha: float | None = None
    alpha_ci: tuple[float, float] | None = None
    alpha_se: float | None = None
    theta: float | None = None
    theta_se: float | None = None
    use_t: bool = False
    ci: str = "wald"
    converged: bool = True
    k_params: int = 0
    time_unit: str = "period"
    hac_maxlags: int | None = None
    warnings: tuple[str, ...] = ()
    model_result: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        extra = f" alpha={self.alpha:.4g}" if self.alpha is not None else ""
        llf = "NA" if self.llf is None else f"{self.llf:.6g}"
        return (f"<CountFit {self.family} n={self.n} terms={self.term_names} llf={llf}"
                f"{extra} cov_type={self.cov_type}>")

    # ----------------------------------------------------------------- helpers
    @property
    def offset(self) -> str | None:
        """The model's offset, e.g. ``"log(period_exposure)"``; None when it has none."""
        return self.design.offset_label

    @property
    def rate_unit(self) -> str:
        """Unit of the rates ``exp(linear predictor)`` (e.g. ``"per month"``)."""
        return self.design.rate_unit

    @property
    def term_names(self) -> list[str]:
        return list(self.params.index)

    @property
    def pearson_dispersion(self) -> float | None:
        """Pearson chi-square over its df (rows with an exact count less the terms)."""
        if self.pearson_chi2 is None:
            return None
        df = self.df_resid - int(np.sum(~np.isfinite(self.endog)))
        return float(self.pearson_chi2 / df) if df > 0 else None

    @property
    def intercept_label(self) -> str:
        """What ``exp(intercept)`` is: ``"baseline rate per month"`` (the rate in the
        fit's ``rate_unit`` when every other term is 0, e.g. at ``trend = 0``)."""
        return f"baseline rate {self.rate_unit}"

    # ------------------------------------------------- statsmodels-like accessors
    @property
    def bse(self) -> pd.Series:
        """Standard errors of :attr:`params` (statsmodels' ``bse``)."""
        return pd.Series(self.terms["se"].to_numpy(float), index=self.params.index, name="bse")

    @property
    def tvalues(self) -> pd.Series:
        """``params / bse`` (z or t statistics; statsmodels' ``tvalues``)."""
        return pd.Series(self.params.to_numpy(float) / self.bse.to_numpy(float),
                         index=self.params.index, name="tvalues")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values (normal, or Student t when ``use_t``; statsmodels' ``pvalues``)."""
        return pd.Series(self.terms["p_value"].to_numpy(float), index=self.params.index, name="pvalues")

    @property
    def fittedvalues(self) -> pd.Series:
        """Fitted means per row, indexed by period start (statsmodels' ``fittedvalues``)."""
        return pd.Series(self.fitted, index=self.start, name="fittedvalues")

    @property
    def nobs(self) -> int:
        return int(self.n)

    @property
    def resid_deviance(self) -> np.ndarray:
        """Deviance residuals ``sign(y - mu) sqrt(d_i)`` (R's ``residuals(fit, "deviance")``;
        NaN on rows known only through bounds)."""
        y, mu = self.endog, self.fitted
        r = np.full(self.n, np.nan)
        ok = np.isfinite(y)
        yy, mm = y[ok], mu[ok]
        with np.errstate(divide="ignore", invalid="ignore"):
            ylog = np.where(yy > 0, yy * np.log(yy / mm), 0.0)
            if self.family == "negbin" and self.alpha:
                th = 1.0 / self.alpha
                d = 2 * (ylog - (yy + th) * np.log((yy + th) / (mm + th)))
            else:
                d = 2 * (ylog - (yy - mm))
        r[ok] = np.sign(yy - mm) * np.sqrt(np.maximum(d, 0.0))
        return r

    def conf_int(self, alpha: float = 0.05, method: str | None = None, dist: str | None = None,
                 exp: bool = False) -> pd.DataFrame:
        """Confidence intervals of :attr:`params` (statsmodels' ``conf_int``).

        Parameters
        ----------
        alpha : float
            ``1 - level`` (default 0.05: 95% intervals).
        method : {"wald", "profile"}, optional
            Default: the fit's ``ci``. ``"profile"`` is R's ``confint()`` on a glm
            (MASS ``profile.glm``; NB2 with alpha held at its estimate).
        dist : {"normal", "t"}, optional
            Quantile; default the fit's (``"t"`` when ``use_t``).
        exp : bool
            Return ``exp`` of the limits (rate ratio scale) instead of the log scale.

        Returns
        -------
        pandas.DataFrame
            Index the term names, columns ``0`` (lower) and ``1`` (upper), as statsmodels.

        Examples
        --------
        >>> from analysis.models import fit_counts
        >>> from analysis.synthetic import nb_level_change
        >>> s, _ = nb_level_change(seed=3)
        >>> fit = fit_counts(s, family="negbin", events=["2021-01-04:level"])
        >>> ci = fit.conf_int(exp=True)
        >>> bool(abs(ci.iloc[1, 0] - fit.terms["ci_low"].iloc[1]) < 1e-12)
        True
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), not {alpha!r}")
        method = self.ci if method is None else method
        if method not in ("wald", "profile"):
            raise ValueError(f"method must be 'wald' or 'profile', not {method!r}")
        dist = ("t" if self.use_t else "normal") if dist is None else dist
        if dist not in ("normal", "t"):
            raise ValueError(f"dist must be 'normal' or 't', not {dist!r}")
        crit = critical_value(1 - alpha, self.df_resid if dist == "t" else None)
        b, se = self.params, self.bse
        if method == "wald":
            lo, hi = b.to_numpy() - crit * se.to_numpy(), b.to_numpy() + crit * se.to_numpy()
        else:
            if self.family == "censored-poisson" or self.cov_type != "nonrobust":
                raise ValueError("profile intervals need a poisson, quasipoisson or negbin fit with "
                                 "cov_type='nonrobust'")
            from .profile import profile_intervals
            fam = "poisson" if self.family == "negbin" and not self.alpha else self.family
            lim = profile_intervals(family=fam, endog=self.endog, exog=self.design.exog,
                                    offset=self.design.offset, params=b, se=se, crit=crit,
                                    scale=float(self.dispersion), alpha=self.alpha)
            lo, hi = lim["low"].to_numpy(float), lim["high"].to_numpy(float)
        out = pd.DataFrame({0: lo, 1: hi}, index=self.params.index)
        if exp:
            with np.errstate(over="ignore"):
                out = np.exp(out)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table with statsmodels' column names (``summary_frame``).

        Columns ``coef, std err, z`` (``t`` when ``use_t``), ``P>|z|``, ``[0.025, 0.975]``
        (at the fit's level; log scale, Wald or profile per ``ci``), ``exp(coef)``,
        ``exp lower``, ``exp upper`` and ``meaning``: what ``exp(coef)`` is, the
        intercept's row saying ``baseline rate <unit>`` and the others ``rate ratio``.
        Index: the term names.
        """
        a = (1 - self.level) / 2
        stat = "t" if self.use_t else "z"
        t = self.terms
        lo, hi = np.log(t["ci_low"].to_numpy(float)), np.log(t["ci_high"].to_numpy(float))
        meaning = [self.intercept_label if n == "intercept" else "rate ratio" for n in t["name"]]
        return pd.DataFrame({
            "coef": t["estimate"].to_numpy(float), "std err": t["se"].to_numpy(float),
            stat: self.tvalues.to_numpy(float), f"P>|{stat}|": t["p_value"].to_numpy(float),
            f"[{a:g}": lo, f"{1 - a:g}]": hi,
            "exp(coef)": t["rate_ratio"].to_numpy(float), "exp lower": t["ci_low"].to_numpy(float),
            "exp upper": t["ci_high"].to_numpy(float), "meaning": meaning,
        }, index=pd.Index(list(t["name"]), name="term"))

    @property
    def event_terms(self) -> list[str]:
        """Names of the event terms (those with a colon)."""
        return [n for n in self.params.index if ":" in n]

    def variance(self, mu: np.ndarray) -> np.ndarray:
        """Variance function of the family at means ``mu``."""
        if self.family == "negbin":
            return mu + (self.alpha or 0.0) * mu ** 2
        return mu

    @property
    def resid_pearson(self) -> np.ndarray:
        ok = np.isfinite(self.endog)
        r = np.full(self.n, np.nan)
        mu = self.fitted[ok]
        r[ok] = (self.endog[ok] - mu) / np.sqrt(self.variance(mu))
        return r

    # ----------------------------------------------------------------- prediction
    def predict(self, counterfactual=None, *, level: float | None = None) -> pd.DataFrame:
        """Expected counts per row, in the observed or a counterfactual world.

        Parameters
        ----------
        counterfactual : None, True, str, EventTerm or list
            Events to switch off: their design columns are set to 0. Term names
            (``"level:2024-01-28"``), event labels (``"2024-01-28"``, all terms of that
            event) or ``True`` for every event.
        level : float, optional
            Interval level (default: the fit's ``level``).

        Returns
        -------
        pandas.DataFrame
            ``start, end, observed, mean, ci_low, ci_high``. ``mean`` is
            ``exposure * exp(x'b)``; the interval is ``exp(eta +/- z se(eta))`` with
            ``se(eta)^2 = x' V x`` (delta method on the linear predictor) times exposure,
            ``z`` normal (Student t with the residual df when ``ci_dist="t"``) and ``V`` the
            fit's covariance (HAC when the fit used it). ``observed`` is NaN on rows known
            only through bounds.

        Raises
        ------
        ValueError
            ``counterfactual`` names no event term of this fit; ``level`` outside (0, 1).

        Examples
        --------
        >>> from analysis.models import fit_counts
        >>> from analysis.synthetic import nb_level_change
        >>> s, truth = nb_level_change(seed=3)
        >>> fit = fit_counts(s, family="negbin", events=["2021-01-04:level"])
        >>> seen, without = fit.predict(), fit.predict(counterfactual="2021-01-04")
        >>> list(seen.columns)
        ['start', 'end', 'observed', 'mean', 'ci_low', 'ci_high']
        >>> round(float(without["mean"].iloc[-1]), 2), round(float(seen["mean"].iloc[-1]), 2)
        (9.56, 5.77)
        >>> ratio = seen["mean"].iloc[-1] / without["mean"].iloc[-1]  # the rate ratio
        >>> bool(abs(ratio - fit.terms["rate_ratio"].iloc[1]) < 1e-12)
        True
        """
        lv = self.level if level is None else float(level)
        if not 0 < lv < 1:
            raise ValueError(f"level must be in (0, 1), not {level!r}")
        names = self.design.resolve(counterfactual)
        X = self.design.zeroed(names) if names else self.design.exog
        A = X[self.term_names].to_numpy(float)
        b = self.params.to_numpy(float)
        V = self.cov.to_numpy(float)
        eta = A @ b + self.design.offset
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", A, V, A), 0.0))
        crit = critical_value(lv, self.df_resid if self.use_t else None)
        return pd.DataFrame({
            "start": self.start, "end": self.end, "observed": self.endog,
            "mean": np.exp(eta), "ci_low": np.exp(eta - crit * se), "ci_high": np.exp(eta + crit * se),
        })

    # ----------------------------------------------------------------- diagnostics
    def diagnostics(self, lags=None, nlags: int | None = None) -> Diagnostics:
        """Dispersion, Ljung-Box on Pearson residuals and their ACF.

        Parameters
        ----------
        lags : int or sequence of int, optional
            Lags of the Ljung-Box test (default: 1, 2, ... up to ``min(10, n // 5)``).
        nlags : int, optional
            Lags of the residual ACF (default ``min(20, n - 1)``).
        """
        from statsmodels.stats.diagnostic import acorr_ljungbox
        from statsmodels.tsa.stattools import acf

        r = self.resid_pearson
        r = r[np.isfinite(r)]
        m = len(r)
        if lags is None:
            lags = list(range(1, max(1, min(10, m // 5)) + 1))
        elif np.isscalar(lags):
            lags = list(range(1, int(lags) + 1))
        lags = [int(x) for x in lags]
        if not lags or min(lags) < 1 or max(lags) >= m:
            raise ValueError(f"lags must be between 1 and {m - 1} (the residuals have {m} values)")
        lb = acorr_ljungbox(r, lags=lags)
        lb = pd.DataFrame({"lag": lags, "statistic": lb["lb_stat"].to_numpy(float),
                           "p_value": lb["lb_pvalue"].to_numpy(float)})
        nl = min(20, m - 1) if nlags is None else int(nlags)
        a = acf(r, nlags=nl, fft=False)
        chi2 = float(np.sum(r ** 2))
        df = self.df_resid - (self.n - m)  # censored rows have no Pearson residual
        if df <= 0:
            raise ValueError(f"only {m} rows have residuals, too few for {self.n - self.df_resid:g} terms")
        return Diagnostics(dispersion=chi2 / df, pearson_chi2=chi2, df_resid=df,
                           dispersion_p_value=float(stats.chi2.sf(chi2, df)),
                           ljung_box=lb, acf=np.asarray(a), resid_pearson=r)

    # ----------------------------------------------------------------- tests
    def lr_test(self, other: "CountFit") -> TestResult:
        """Compare two nested fits of the same series.

        Likelihood ratio for poisson, negbin and censored fits. Poisson against negative
        binomial tests ``alpha = 0``, on the boundary of the parameter space: the p-value
        uses the mixture ``0.5 chi2(df - 1) + 0.5 chi2(df)`` (Self and Liang, 1987), i.e.
        half the chi-square(1) tail when only alpha is added, and 1 when the statistic
        is 0. An F test on deviances, scaled by the larger model's dispersion, for
        quasipoisson (as R's ``anova(..., test = "F")``).

        Raises
        ------
        ValueError
            Fits on different data, fits that are not nested (a Poisson model is never
            the larger of a Poisson/negative binomial pair), incompatible families.
        """
        if not isinstance(other, CountFit):
            raise TypeError("lr_test needs another CountFit")
        if self.n != other.n or not np.array_equal(np.nan_to_num(self.endog, nan=-1),
                                                   np.nan_to_num(other.endog, nan=-1)):
            raise ValueError("lr_test: the two fits are not on the same data")
        big, small = (self, other) if self.k_params >= other.k_params else (other, self)
        if not set(small.term_names) <= set(big.term_names):
            raise ValueError("lr_test: the fits are not nested (the smaller model has terms "
                             f"{sorted(set(small.term_names) - set(big.term_names))} the larger lacks)")
        fams = {big.family, small.family}
        if "quasipoisson" in fams:
            if fams != {"quasipoisson"}:
                raise ValueError("lr_test: a quasipoisson fit can only be compared with another quasipoisson fit")
            d_small = _poisson_deviance(small.endog, small.fitted)
            d_big = _poisson_deviance(big.endog, big.fitted)
            df = small.df_resid - big.df_resid
            if df <= 0:
                raise ValueError("lr_test: the fits have the same number of terms")
            F = (d_small - d_big) / df / big.dispersion
            return TestResult(statistic=float(F), df=float(df), df_denom=float(big.df_resid),
                              p_value=float(stats.f.sf(F, df, big.df_resid)), method="F")
        if len(fams) == 2 and fams != {"poisson", "negbin"}:
            raise ValueError(f"lr_test: cannot compare families {sorted(fams)}")
        if big.family == "poisson" and small.family == "negbin":
            raise ValueError("lr_test: the fits are not nested (a negative binomial model is not a "
                             "special case of a Poisson model, whatever their terms)")
        df = big.k_params - small.k_params
        if df <= 0:
            raise ValueError("lr_test: the fits have the same number of parameters")
        stat = max(2 * (big.llf - small.llf), 0.0)
        if big.family == "negbin" and small.family == "poisson":
            # alpha = 0 lies on the boundary: the null distribution is the mixture
            # 0.5 chi2(df - 1) + 0.5 chi2(df) (Self and Liang 1987), chi2(0) a point mass at 0
            tail0 = (1.0 if stat <= 0 else 0.0) if df == 1 else float(stats.chi2.sf(stat, df - 1))
            p = 0.5 * tail0 + 0.5 * float(stats.chi2.sf(stat, df))
            return TestResult(statistic=float(stat), df=float(df), p_value=float(p), method="lr-boundary")
        return TestResult(statistic=float(stat), df=float(df), p_value=float(stats.chi2.sf(stat, df)),
                          method="lr")

    # ----------------------------------------------------------------- output
    def summary(self) -> FitSummary:
        """A :class:`FitSummary` (``as_text``, ``as_html``, ``as_latex``, ``as_markdown``)."""
        def g(v):
            return "NA" if v is None else f"{v:.6g}"
        info = [("family", self.family), ("rows", str(self.n)), ("covariance", self.cov_type
                + (f" (maxlags {self.hac_maxlags})" if self.cov_type == "HAC" else "")),
                ("time unit", self.time_unit), ("offset", self.offset or "none"),
                ("rate unit", self.rate_unit), ("log-likelihood", g(self.llf)),
                ("AIC", g(self.aic)), ("BIC", g(self.bic)),
                ("dispersion", g(self.dispersion)),
                ("Pearson chi2/df (diagnostic)", g(self.pearson_dispersion))]
        if self.family == "negbin":
            lo, hi = self.alpha_ci if self.alpha_ci else (None, None)
            info.append(("alpha (NB2)", f"{g(self.alpha)} [{g(lo)}, {g(hi)}]"))
            info.append(("theta = 1/alpha (glm.nb)", f"{g(self.theta)} (se {g(self.theta_se)})"))
        notes = [f"{'Profile-likelihood' if self.ci == 'profile' else 'Wald'} intervals at {self.level:.0%}"
                 + ("; Student t with the residual df" if self.use_t else "; normal quantile")
                 + f"; rate_ratio = exp(estimate); exp(intercept) is the {self.intercept_label}."]
        notes += list(self.warnings)
        table = self.terms.copy()
        table["name"] = [f"intercept ({self.intercept_label})" if n == "intercept" else n
                         for n in table["name"]]
        return FitSummary(title=f"Count regression: {self.family}", info=tuple(info),
                          table=table, notes=tuple(notes))

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def to_dict(self) -> dict:
        """JSON-ready dict: the CLI keys plus ``alpha``, ``alpha_ci``, ``cov_type``, ``level``.

        ``dispersion`` is the scale the inference uses (1 except for quasipoisson),
        ``pearson_dispersion`` the Pearson chi-square / df diagnostic; ``theta`` and
        ``theta_se`` are R's ``glm.nb`` values (null for other families); ``intercept``
        says what ``exp(intercept)`` is (``"baseline rate per month"``).
        """
        def f(v):
            return None if v is None or not np.isfinite(v) else float(v)
        terms = [{"name": str(r["name"]), **{c: f(r[c]) for c in TERM_COLUMNS[1:]}}
                 for _, r in self.terms.iterrows()]
        return {"family": self.family, "n": int(self.n), "terms": terms,
                "dispersion": f(self.dispersion), "pearson_chi2": f(self.pearson_chi2),
                "pearson_dispersion": f(self.pearson_dispersion), "aic": f(self.aic),
                "bic": f(self.bic), "llf": f(self.llf), "alpha": f(self.alpha),
                "alpha_se": f(self.alpha_se),
                "alpha_ci": None if self.alpha_ci is None else [f(self.alpha_ci[0]), f(self.alpha_ci[1])],
                "theta": f(self.theta), "theta_se": f(self.theta_se),
                "cov_type": self.cov_type, "level": self.level, "ci": self.ci,
                "ci_dist": "t" if self.use_t else "normal", "converged": bool(self.converged),
                "time_unit": self.time_unit, "offset": self.offset, "rate_unit": self.rate_unit,
                "intercept": self.intercept_label}


def _poisson_deviance(y, mu) -> float:
    ok = np.isfinite(y)
    y, mu = y[ok], mu[ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2 * np.sum(t - (y - mu)))
