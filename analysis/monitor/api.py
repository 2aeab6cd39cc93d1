"""``monitor``: GLR alarms and the online probability of a change on a CountSeries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .arl import calibrate_threshold
from .bocpd import bocpd_negbin, bocpd_poisson
from .glr import glr_path


def monitor(series, *, baseline, direction: str = "up", arl: float = 52.0,
            threshold: float | None = None, M: int | None = None,
            expected_run_length: float | None = None, k: int = 4, n_sim: int = 1000,
            seed: int = 0, rate_prior: tuple[float, float] | None = None,
            min_rate: float | None = None, observation: str | None = None,
            alpha: float | None = None, change_prior: tuple[float, float] | None = None,
            detector: str | None = None) -> pd.DataFrame:
    """Monitor the periods after a baseline for a change in the rate.

    Parameters
    ----------
    series : CountSeries
    baseline : (start, end) or CountFit
        A period: the in-control rate is its events per full period (count over summed
        ``period_exposure``, the units rule) and each monitored period's in-control mean is
        that rate times its ``period_exposure`` (partly observed periods expect fewer events,
        unobserved ones none). Or a :class:`~analysis.models.CountFit` fitted on consecutive
        rows of ``series`` (e.g. ``fit_counts(series.window(a, b), trend=True, ...)``): its
        trend, seasonality, event terms and offset are extended to the rows after it
        (:mod:`analysis.monitor.baseline`); an NB2 fit is monitored with the NB2 GLR
        statistic at its ``alpha`` (``detector``) and an NB online detector.
    direction : {"up", "down", "both"}
    arl : float
        Target in-control average run length (periods) of the calibrated threshold.
    threshold : float, optional
        GLR threshold; None calibrates it for ``arl`` by ``n_sim`` seeded simulations of the
        detector on the in-control model (Poisson, or NB2 with the fit's / given ``alpha``),
        with the Monte-Carlo error in ``attrs["calibration"]``.
    M : int, optional
        Window of the GLR statistic (surveillance's ``M``): change times at most ``M`` periods
        back. None (default) searches all periods since the last alarm, as surveillance does.
    detector : {"poisson", "nb"}, optional
        The GLR statistic. Default: "nb" (the NB2 GLR of R ``surveillance::glrnb`` with the
        in-control ``alpha``) when the in-control model is NB2 (an NB2 fit, or ``alpha``
        given), else "poisson" (``glrpois``). "poisson" with an NB2 in-control model keeps
        the Poisson statistic and calibrates its threshold on NB2 counts.
    rate_prior : (a, b), optional
        Period baselines: a Gamma(a, b) prior on the in-control rate, which becomes the
        posterior mean ``(a + S) / (b + E)`` of the baseline's ``S`` events in ``E`` periods.
        A baseline without events has rate 0, which no threshold can calibrate (the first
        event is infinitely surprising): this, or ``min_rate``, states what rate to expect.
    min_rate : float, optional
        Period baselines: the in-control rate is at least this (events per full period).
    observation : {"poisson", "negbin"}, optional
        Observation model of the online detector; default "negbin" for an NB2 fit or a given
        ``alpha``, else "poisson".
    alpha : float, optional
        NB2 dispersion of the in-control counts per full period (period baselines; a fit
        brings its own).
    change_prior : (shape, rate), optional
        Gamma prior of a new regime's rate (per full period; for a fit baseline, of the
        multiplier of its means), e.g. centred on a contrast period's rate so that
        ``p_changed`` is the probability that a regime like it has begun. Default: shape 0.1
        with the baseline's mean.

    The BOCPD column ``p_changed`` is the probability that the rate now differs from the
    baseline's: the baseline regime's rate (for a fit, the multiplier of its means, 1 in
    control) has the Gamma(0.5 + S, E) posterior of the baseline's S events against their
    exposure or in-control expectation E (Gamma(a + S, b + E) with ``rate_prior``, and mean
    ``min_rate`` when the floor applies); a new
    regime's has a vaguer prior, shape 0.1 and the same mean (so even a baseline without
    events leaves room for a change); hazard ``1 / expected_run_length`` (default ``arl``).
    With ``observation="negbin"`` the counts are NB with size ``1 / (alpha m)`` per unit of
    in-control mean, ``m`` the mean in-control count per period (exact NB2 for a constant
    in-control mean), and the Beta priors on ``p`` have the same means as the Gamma ones.

    Returns
    -------
    pandas.DataFrame
        One row per monitored period: ``start, end, count, expected, statistic,
        threshold, alarm, change_start`` (start of the estimated change period at each
        alarm), ``p_changed`` and ``p_run_lt_k``; ``attrs`` hold ``rate`` (None for a fit
        baseline), ``rate_unit``, ``calibration`` (or None), ``k``, ``in_control`` (one line
        stating the in-control model and any prior or floor on its rate) and ``observation``.

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([2, 1, 3, 2, 2, 1, 2, 3, 9, 8, 10], start="2024-01-01", freq="W")
    >>> out = monitor(s, baseline=("2024-01-01", "2024-02-26"), threshold=5.0)
    >>> out["alarm"].tolist(), str(out["change_start"].iloc[0].date())
    ([True, True, True], '2024-02-26')
    """
    from ..models.results import CountFit

    if observation not in (None, "poisson", "negbin"):
        raise ValueError(f"observation must be 'poisson' or 'negbin', not {observation!r}")
    if alpha is not None and not (np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be a positive number, not {alpha!r}")
    if isinstance(baseline, CountFit):
        if rate_prior is not None or min_rate is not None:
            raise ValueError("rate_prior and min_rate apply to a baseline period, not to a fitted model")
        from .baseline import in_control_from_fit

        i1, ic = in_control_from_fit(series, baseline)
        mon = series.window(series.start[i1], None)
        mu0 = ic.expected
        S, E = ic.base_count, ic.base_expected
        disp = ic.alpha if alpha is None else float(alpha)
        rate, desc = None, ic.description
        bexp = mu0  # the online detector's exposure: in-control means (rate multiplier 1)
    else:
        b0, b1 = (pd.Timestamp(v) for v in baseline)
        base = series.window(b0, b1)
        if base.n == 0:
            raise ValueError(f"the baseline {b0.date()}..{b1.date()} holds no whole period of the series")
        mon = series.window(b1, None)
        if mon.n == 0:
            raise ValueError(f"the series ends by {b1.date()}: no period after the baseline to monitor "
                             "(the series is no longer than its baseline)")
        S, E = float(base.counts.sum()), float(base.period_exposure.sum())
        if E <= 0:
            raise ValueError("the baseline periods have no exposure: no in-control rate")
        rate = S / E
        desc = f"rate of {b0.date()}..{b1.date()}: {S:g} events in {E:g} periods"
        if rate_prior is not None:
            a, b = map(float, rate_prior)
            if not (a > 0 and b >= 0):
                raise ValueError(f"rate_prior must be a Gamma (shape > 0, rate >= 0), not {rate_prior!r}")
            rate = (a + S) / (b + E)
            desc += f"; Gamma({a:g}, {b:g}) prior on the rate, posterior mean {rate:.4g}"
        if min_rate is not None:
            if not min_rate > 0:
                raise ValueError(f"min_rate must be > 0, not {min_rate!r}")
            if rate < min_rate:
                desc += f"; floored at the stated minimum {min_rate:g}"
            rate = max(rate, float(min_rate))
        disp = float(alpha or 0.0)
        mu0 = rate * mon.period_exposure
        bexp = mon.period_exposure
    if detector not in (None, "poisson", "nb"):
        raise ValueError(f"detector must be 'poisson' or 'nb', not {detector!r}")
    det = detector or ("nb" if disp > 0 else "poisson")
    if det == "nb" and not disp > 0:
        raise ValueError("detector='nb' needs alpha (or an NB2 baseline fit)")
    if det == "nb":
        det_desc = f"NB2 GLR (alpha {disp:.4g}; as R surveillance::glrnb)"
    elif disp > 0:
        det_desc = (f"Poisson GLR (as R surveillance::glrpois), threshold calibrated on NB2 "
                    f"in-control counts (alpha {disp:.4g})")
    else:
        det_desc = "Poisson GLR (as R surveillance::glrpois)"
    obs = observation or ("negbin" if disp > 0 else "poisson")
    if obs == "negbin" and not disp > 0:
        raise ValueError("observation='negbin' needs alpha (or an NB2 baseline fit)")
    cal = None
    if threshold is None:
        if not np.any(mu0 > 0):
            raise ValueError("the in-control rate is 0 (the baseline has no events): every event would "
                             "alarm and no threshold controls the ARL; give rate_prior=(a, b) or min_rate "
                             "(a stated expectation), a longer baseline, or a threshold")
        cal = calibrate_threshold(mu0, arl, direction=direction, M=M, n_sim=n_sim, seed=seed, alpha=disp,
                                  statistic=det)
        threshold = cal.threshold
    stat, alarm, change, _ = glr_path(mon.counts, mu0, family=det, alpha=disp, direction=direction,
                                      threshold=threshold, M=M)
    erl = float(expected_run_length or arl)
    # the baseline regime's Gamma on the rate (or, for a fit, on the multiplier of its means)
    mean, base_prior = (S + 0.5) / E, (0.5 + S, E)
    if rate_prior is not None:
        mean, base_prior = rate, (a + S, b + E)
    elif min_rate is not None and rate > (S + 0.5) / E:
        mean, base_prior = rate, (0.5 + S, (0.5 + S) / rate)
    if change_prior is None:
        sn, rn = 0.1, 0.1 / mean
    else:
        sn, rn = map(float, change_prior)
        if not (sn > 0 and rn > 0):
            raise ValueError(f"change_prior must be a Gamma (shape > 0, rate > 0), not {change_prior!r}")
        desc += f"; a new regime's rate ~ Gamma({sn:g}, {rn:.4g}) (mean {sn / rn:.4g})"
    if obs == "poisson":
        bo = bocpd_poisson(mon.counts, bexp, expected_run_length=erl,
                           prior=(sn, rn), baseline=base_prior, ks=(k,))
    else:
        m = float(np.mean(mu0[mu0 > 0])) if np.any(mu0 > 0) else 1.0
        scale = m if isinstance(baseline, CountFit) else 1.0
        size = 1.0 / (disp * scale)
        # Beta(a, b) on p with the Gamma(shape, rate) prior's mean: b = shape, a = 1 + size * rate
        sb, rb = base_prior
        bo = bocpd_negbin(mon.counts, bexp, size=size, expected_run_length=erl,
                          prior=(1 + size * rn, sn), baseline=(1 + size * rb, sb), ks=(k,))
    starts = mon.start
    out = pd.DataFrame({
        "start": starts, "end": mon.end, "count": mon.counts, "expected": mu0,
        "statistic": stat, "threshold": float(threshold), "alarm": alarm,
        "change_start": [starts[c] if a else pd.NaT for a, c in zip(alarm, change)],
        "p_changed": bo["p_changed"], "p_run_lt_k": bo["p_short"][k]})
    out.attrs.update(rate=rate, rate_unit=series.rate_unit, calibration=cal, k=k, in_control=desc,
                     observation=obs, alpha=disp or None, direction=direction, detector=det,
                     detector_description=det_desc)
    return out
