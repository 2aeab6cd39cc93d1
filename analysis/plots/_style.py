"""The project style, in one place: palette, fonts, sizes, date axes, save settings.

Every plot function takes its colours from :data:`COLORS` (roles) or :data:`PALETTE`
(series cycle) and formats date axes with :func:`format_date_axis`. Figures created by
the plot functions themselves are created under :func:`project_style`; use the same
context manager around your own ``plt.subplots`` call to get the project look.

The palette is Okabe & Ito's colour-blind-safe set (Okabe M., Ito K., *Color Universal
Design*, 2008), ordered so the first colours stay distinct in greyscale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

import contextlib
import re

__all__ = ["OKABE_ITO", "PALETTE", "COLORS", "RC", "SAVE_RC", "project_style",
           "format_date_axis"]

#: The eight Okabe-Ito colours by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Cycle for one colour per series (yellow last: low contrast on white).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
           "#000000", "#F0E442")

#: Colours by role, so every figure shows the same thing the same way.
COLORS = {
    "count": "#56B4E9",          # observed counts (bars, steps)
    "count_edge": "#FFFFFF",
    "observed": "#333333",       # observed points over a fit
    "fit": "#0072B2",            # fitted mean and its band
    "counterfactual": "#D55E00",  # counterfactual mean and its band
    "segment": "#D55E00",        # changepoint segment rates
    "probability": "#009E73",    # Bayesian change probability
    "bound": "#000000",          # censored-interval bounds
    "event": "#4D4D4D",          # event markers and labels
    "event_span": "#BBBBBB",     # events with an end date
    "spread": "#CFE8F7",         # counts spread over their days from tally totals (hatched)
    "no_coverage": "#F2F2F2",    # stretches no source covers (zeros unconfirmed)
    "reference": "#777777",      # reference lines (rate ratio 1)
    "grid": "#E5E5E5",
}

#: rcParams of the project style (fonts bundled with matplotlib, so renders are the
#: same on every machine). :func:`project_style` adds the colour cycle of :data:`PALETTE`.
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": COLORS["grid"],
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "lines.linewidth": 1.5,
    "figure.figsize": (8.0, 3.6),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 200,
    "savefig.facecolor": "white",
    "date.converter": "concise",
    "date.epoch": "1970-01-01T00:00:00",
    "text.usetex": False,
}

#: rcParams that make saved files byte-identical on re-run.
SAVE_RC = {
    "svg.hashsalt": "incident-trends",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "pdf.compression": 6,
    "path.simplify": True,
}


def _rc() -> dict:
    from cycler import cycler

    rc = dict(RC)
    rc["axes.prop_cycle"] = cycler(color=list(PALETTE))
    return rc


@contextlib.contextmanager
def project_style() -> Iterator[None]:
    """Context manager applying the project rcParams (restored on exit).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from analysis.plots import project_style
    >>> with project_style():
    ...     fig, ax = plt.subplots()
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    with mpl.rc_context(_rc()):
        yield


def _first_year_formatter(locator):
    """ConciseDateFormatter whose first tick always says where it is in the calendar.

    The stock formatter writes the year only at year boundaries when the ticks cross
    one, which leaves the ticks before the first boundary ("Oct", "Nov", "Dec", "2024")
    without a year: the first visible tick gets it here, on a second line. Day ticks
    across several months have a similar gap ("22", "Feb", "08", ... with the offset
    "Mar 2024", the month of the *last* tick): the first tick then names its month
    ("22 Jan") and the offset keeps only the year, or names the first tick's year on a
    second line when the ticks cross a new year.
    """
    import matplotlib.dates as mdates

    class _Formatter(mdates.ConciseDateFormatter):
        _offset_override = None

        def get_offset(self):
            if self._offset_override is not None:
                return self._offset_override
            return super().get_offset()

        def format_ticks(self, values):
            # day numbers without a leading zero ("8", "8 Aug"), as a journal prints them
            return [re.sub(r"^0(?=\d(?!\d*:))", "", lab) for lab in self._format_ticks(values)]

        def _format_ticks(self, values):
            self._offset_override = None
            labels = list(super().format_ticks(values))
            if not labels:
                return labels
            lo, hi = -float("inf"), float("inf")
            if self.axis is not None:
                a, b = self.axis.get_view_interval()
                lo, hi = min(a, b), max(a, b)
            shown = [k for k, v in enumerate(values) if lo - 1e-9 <= v <= hi + 1e-9]
            if not shown:
                return labels
            first = shown[0]
            d = mdates.num2date(values[first])
            offset = self.get_offset()
            if offset:
                dates = [mdates.num2date(values[k]) for k in shown]
                months = {(x.year, x.month) for x in dates}
                if len(months) > 1 and offset == dates[-1].strftime("%b %Y"):
                    # day ticks over several months: the offset named the last tick's month
                    if labels[first] == d.strftime("%d"):
                        labels[first] = d.strftime("%d %b")
                    if len({x.year for x in dates}) == 1:
                        self._offset_override = d.strftime("%Y")
                    else:
                        self._offset_override = ""
                        labels[first] = labels[first] + d.strftime("\n%Y")
                        for k in shown[1:]:  # the first tick of the new year names it
                            x = mdates.num2date(values[k])
                            if x.year != d.year and labels[k] == x.strftime("%b"):
                                labels[k] = x.strftime("%b\n%Y")
                                break
                return labels
            if len(labels[first]) == 4 and labels[first].isdigit():
                return labels
            if labels[first] == d.strftime("%b"):
                labels[first] = d.strftime("%b\n%Y")
            elif labels[first] == d.strftime("%d"):
                labels[first] = d.strftime("%d %b\n%Y")
            return labels

    return _Formatter(locator, show_offset=True)


def format_date_axis(axis, *, maxticks: int = 9) -> None:
    """Readable dates on a matplotlib ``Axis`` (``ax.xaxis``): auto ticks, concise labels.

    ``ConciseDateFormatter`` writes the year (or month) once instead of on every tick, so
    labels stay short and horizontal; the first tick always names its year.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot(pd.date_range("2024-01-01", periods=60, freq="D"), range(60))
    >>> format_date_axis(ax.xaxis, maxticks=5)
    >>> len(ax.get_xticks()) <= 6
    True
    >>> plt.close(fig)
    """
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=maxticks)
    formatter = _first_year_formatter(locator)
    formatter.formats = ["%Y", "%b", "%d", "%H:%M", "%H:%M", "%S.%f"]
    formatter.zero_formats = ["", "%Y", "%b", "%b-%d", "%H:%M", "%H:%M"]
    formatter.offset_formats = ["", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]
    axis.set_major_locator(locator)
    axis.set_major_formatter(formatter)
