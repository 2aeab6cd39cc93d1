"""Segment costs and their explicit registry ``COSTS``."""

from __future__ import annotations

from .base import BaseCost
from .negbin import CostNegBin, estimate_alpha
from .normal import CostNormalMean, CostNormalMeanVar
from .poisson import CostPoisson

#: registry name -> cost class
COSTS: dict[str, type[BaseCost]] = {
    "poisson": CostPoisson,
    "negbin": CostNegBin,
    "normal": CostNormalMean,
    "normal-meanvar": CostNormalMeanVar,
}


def get_cost(cost, **params) -> BaseCost:
    """A fresh cost instance from a registry name, a cost class or an instance."""
    if isinstance(cost, BaseCost):
        return cost
    if isinstance(cost, type) and issubclass(cost, BaseCost):
        return cost(**params)
    if isinstance(cost, str) and cost in COSTS:
        return COSTS[cost](**params)
    raise ValueError(f"`cost` must be one of {sorted(COSTS)} (or a BaseCost), not {cost!r}")


__all__ = ["COSTS", "BaseCost", "CostPoisson", "CostNegBin", "CostNormalMean",
           "CostNormalMeanVar", "get_cost", "estimate_alpha"]
