"""No change, event-anchored ITS variants and free changepoints compared by BIC, with its sentence."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["ModelComparison", "model_comparison"]


@dataclass(frozen=True)
class ModelComparison:
    """:func:`analysis.events.compare_models` table with the best model and a sentence.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model, sorted by BIC (``delta_bic`` 0 for the best).
    best : str
    family : str
        The family used (Poisson when the requested one could not be fitted).
    notes : tuple of str
    """

    table: pd.DataFrame
    best: str
    family: str
    notes: tuple = ()
    settings: dict = field(default_factory=dict)

    def sentence(self) -> str:
        c = self.table
        return (f"By BIC the best model is '{c['model'].iloc[0]}' ({c['detail'].iloc[0]}); "
                + "; ".join(f"{r['model']}: delta-BIC {r['delta_bic']:.1f}" for _, r in c.iloc[1:].iterrows())
                + " (the free model pays log(n) per estimated change date).")

    def to_dict(self) -> dict:
        return {"best_model_bic": self.best, "family": self.family, "table": self.table,
                "sentence": self.sentence(), "notes": list(self.notes)}


def model_comparison(series, variants: dict, *, family: str = "negbin", segmentation=None
                     ) -> ModelComparison:
    """Compare ``no change``, one event ITS per entry of ``variants`` and free changepoints.

    Parameters
    ----------
    series : CountSeries
    variants : dict
        ``name -> event terms`` (``["2024-01-28:level", "2024-07-22:level"]``).
    family : {"negbin", "poisson"}
        Likelihood of every model; anything else (quasi-Poisson has no likelihood) and a
        negative binomial that cannot be fitted fall back to Poisson, with a note.
    segmentation : Segmentation, optional
        The free changepoints (default: PELT on the series).

    Returns
    -------
    ModelComparison

    Examples
    --------
    >>> from analysis.series import CountSeries
    >>> s = CountSeries.from_counts([1, 0, 2, 1, 0, 9, 8, 11, 10, 9], start="2024-01-01", freq="W")
    >>> mc = model_comparison(s, {"step": ["2024-02-05:level"]}, family="poisson")
    >>> mc.best
    'event ITS (step)'
    """
    from ..events import compare_models

    fam = family if family in ("poisson", "negbin") else "poisson"
    notes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table = compare_models(series, dict(variants), family=fam, segmentation=segmentation)
        except Exception as exc:  # noqa: BLE001 - a failed NB2 fit falls back, said in a note
            if fam == "poisson":
                raise
            notes.append(f"Model comparison with {fam} failed ({exc}); Poisson used.")
            fam = "poisson"
            table = compare_models(series, dict(variants), family=fam, segmentation=segmentation)
    return ModelComparison(table=table, best=table.attrs.get("best"), family=fam, notes=tuple(notes),
                           settings={"variants": {k: list(v) for k, v in variants.items()}})
