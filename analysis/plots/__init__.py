"""Charts: one function per chart; each takes ``ax=None``, returns the Axes, never saves or shows.

========================================  ===============================================
``plot_counts(series, *, ax=None, ...)``  counts over time, censored rows as bounds
``plot_events(events, *, ax=None, ...)``  event markers, labels that never collide
``plot_fit(pred, *, ax=None, ...)``       fitted mean, interval, counterfactual band
``plot_segments(segments, *, ax=None)``   changepoint segments with rate intervals
``plot_change_probability(times, prob)``  Bayesian change probability per row
``series_with_probability(series, prob)`` the two above, stacked (creates the axes)
``plot_tallies(tallies, *, ax=None)``     cumulative tallies as staircases with bounds
``plot_forest(terms, *, ax=None)``        rate-ratio forest plot (log axis)
``plot_panel(series, *, ncols=3)``        small multiples per group (creates the axes)
``plot_monitor(result, ax=None)``         monitoring: counts, GLR vs threshold, P(changed)
``save_figure(fig, path_stem, formats)``  byte-identical PNG / SVG / PDF
``project_style()``                       the one project style (Okabe-Ito palette)
========================================  ===============================================

matplotlib is imported only inside the functions, so importing this package is cheap.
"""

from ._axes import get_ax
from ._save import save_figure
from ._style import COLORS, OKABE_ITO, PALETTE, format_date_axis, project_style
from .changepoints import plot_change_probability, plot_segments, series_with_probability
from .counts import plot_counts
from .events import plot_events
from .fits import plot_fit
from .forest import plot_forest
from .monitor import plot_monitor
from .panel import plot_panel
from .tallies import plot_tallies

__all__ = [
    "plot_counts", "plot_events", "plot_fit", "plot_segments", "plot_change_probability",
    "series_with_probability", "plot_tallies", "plot_forest", "plot_panel", "plot_monitor", "save_figure",
    "project_style", "get_ax", "format_date_axis", "COLORS", "OKABE_ITO", "PALETTE",
]
