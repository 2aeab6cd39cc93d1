"""Changepoints: exact and Bayesian searches with count likelihoods.

Layout (ruptures' split): :mod:`.costs` (segment costs, registry ``COSTS``),
:mod:`.search` (OP, PELT, BinSeg, SegNeigh), :mod:`.penalties` (AIC, BIC/SIC, MBIC,
HQ, numeric; CROPS), :mod:`.bayes` (exact product-partition posterior),
:mod:`.intervals` (Garwood rate intervals, bootstrap change locations),
:mod:`._kernels` and :mod:`._fpop` (numba, compiled once and cached on disk; or ahead of
time by :mod:`._aot`, reached through :mod:`._compiled`).

Index convention: a changepoint is the 0-based index of the first row of a new
segment, which equals R's ``cpt`` (the last row of the previous segment counted from 1).
"""

from __future__ import annotations

from .bayes import BayesianChangepoints, BayesResult, EventPrior
from .costs import COSTS, BaseCost, CostNegBin, CostNormalMean, CostNormalMeanVar, CostPoisson
from .intervals import bootstrap_locations, garwood
from .penalties import PENALTIES, CropsResult, crops, resolve_penalty
from .result import Segmentation
from .search import METHODS, BinSeg, OptimalPartitioning, Pelt, SegNeigh, detect_changepoints

__all__ = [
    "Pelt", "OptimalPartitioning", "BinSeg", "SegNeigh", "detect_changepoints", "METHODS",
    "Segmentation", "COSTS", "BaseCost", "CostPoisson", "CostNegBin", "CostNormalMean",
    "CostNormalMeanVar", "PENALTIES", "resolve_penalty", "crops", "CropsResult",
    "BayesianChangepoints", "BayesResult", "EventPrior", "garwood", "bootstrap_locations",
]
