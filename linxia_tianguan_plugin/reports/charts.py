"""The panels' charts: matplotlib ``Figure`` objects drawn on the Agg canvas (never pyplot, so nothing global and
nothing needing a display), text in an installed CJK font found through ``matplotlib.font_manager``; without
one :func:`cjk_font_path` raises :class:`.model.DashboardError` (the report would print boxes).
"""
from __future__ import annotations

import contextlib
import os

from ..core.reports import statistics as stats
from ..fonts import CJK_FAMILIES  # one list with the labels' and the case list's
from ..i18n import tr
from .model import DashboardError, Report
from .tables import Table, trend_source_labels


# ---------------------------------------------------------------------------------------- fonts
def cjk_font_path() -> str:
    """The file of an installed CJK font matplotlib can use; without one the charts would print boxes."""
    from matplotlib import font_manager

    by_name = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in by_name and os.path.exists(by_name[family]):
            return by_name[family]
    raise DashboardError(tr("No Chinese font is installed ({fonts}): the report would print boxes. Install one "
                            "(e.g. WenQuanYi Micro Hei) and run again.").format(fonts="、".join(CJK_FAMILIES)))


@contextlib.contextmanager
def cjk_context():
    """matplotlib settings for Chinese text: the CJK font first, a real minus sign, TrueType in PDFs (so
    the text can be searched and copied)."""
    import matplotlib
    from matplotlib import font_manager

    path = cjk_font_path()
    if path not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(path)  # a font cache made before the font was installed lacks it
    family = font_manager.FontProperties(fname=path).get_name()
    # the family by name, not "sans-serif": a text keeps the families it was made with, and a generic one
    # would be looked up again when the dock's canvas repaints, outside this context (boxes again)
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "font.sans-serif": [family, "DejaVu Sans"],
                                "axes.unicode_minus": False, "pdf.fonttype": 42, "svg.fonttype": "none"}):
        yield


# ---------------------------------------------------------------------------------------- charts
def _labels(table: Table, code_col: int, name_col: int) -> list[str]:
    return [row[name_col] or row[code_col] for row in table.rows]


def draw_chart(report: Report, name: str, fig) -> None:
    """Draw panel ``name`` of ``report`` on the matplotlib Figure ``fig`` (cleared first). Call it inside
    :func:`cjk_context`."""
    fig.clear()
    draw_into(report, name, fig.add_subplot(1, 1, 1))
    fig.tight_layout()


def _bar_labels(ax, labels: list[str]) -> None:
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center",
                       fontsize=8)


def _stacked(ax, labels, series: list[tuple[str, list, str]]) -> None:
    bottom = [0.0] * len(labels)
    for label, values, color in series:
        vals = [float(v or 0) for v in values]
        ax.bar(range(len(labels)), vals, bottom=bottom, label=label, color=color)
        bottom = [b + v for b, v in zip(bottom, vals)]
    _bar_labels(ax, labels)
    ax.legend(fontsize=8)
    _whole_numbers(ax.yaxis)


def _whole_numbers(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 of a case


def _chart_patrols(report, table, ax) -> None:
    sums: dict[str, list[int]] = {}
    months = sorted({r[0] for r in table.rows})
    by_month = len(months) > 1 and len({r[1] for r in table.rows}) == 1
    for r in table.rows:  # one bar per township (a single township over several months: per month)
        key = r[0] if by_month else r[1]
        s = sums.setdefault(key, [0, 0, 0])
        s[0] += r[4]
        s[1] += r[5]
        s[2] += r[6]
    keys = sorted(sums)
    labels = keys if by_month else [report.names.get(k, k) for k in keys]
    _stacked(ax, labels, [(tr("Done"), [sums[k][0] for k in keys], "#3a923a"),
                          (tr("Not done"), [sums[k][1] for k in keys], "#e0b400"),
                          (tr("Overdue"), [sums[k][2] for k in keys], "#d62728")])
    ax.set_ylabel(tr("Tasks"))


def _chart_coverage(report, table, ax) -> None:
    labels = _labels(table, 0, 1)
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], [r[4] or 0 for r in table.rows], 0.4, label=tr("Farmland"), color="#3a923a")
    ax.bar([i + 0.2 for i in x], [r[7] or 0 for r in table.rows], 0.4, label=tr("Basic farmland"), color="#1f77b4")
    _bar_labels(ax, labels)
    ax.set_ylim(0, 100)
    ax.set_ylabel(tr("Coverage (%)"))
    ax.legend(fontsize=8)


def _chart_officers(report, table, ax) -> None:
    levels: dict[str, list[int]] = {}
    order = []
    for r in table.rows:
        if r[0] not in levels:
            order.append(r[0])
        s = levels.setdefault(r[0], [0, 0, 0])
        s[0] += r[4]
        s[1] += r[5]
        s[2] += r[6]
    _stacked(ax, order, [(tr("Officers"), [levels[k][0] for k in order], "#1f77b4"),
                         (tr("Assistants"), [levels[k][1] for k in order], "#9ecae1"),
                         (tr("Vacancies"), [levels[k][2] for k in order], "#d62728")])
    ax.set_ylabel(tr("Posts"))


def _chart_cases(report, table, ax) -> None:
    states = []
    kinds = []
    counts: dict[tuple[str, str], int] = {}
    for r in table.rows:
        if r[0] not in states:
            states.append(r[0])
        if r[1] not in kinds:
            kinds.append(r[1])
        counts[(r[0], r[1])] = counts.get((r[0], r[1]), 0) + r[3]
    colors = ["#d62728", "#ff7f0e", "#2ca02c", "#7f7f7f", "#9467bd"]
    _stacked(ax, states, [(k, [counts.get((s, k), 0) for s in states], colors[i % len(colors)])
                          for i, k in enumerate(kinds)])
    ax.set_ylabel(tr("Cases"))


def _chart_ranking(report, table, ax) -> None:
    rows = table.rows[:15]
    labels = [r[2] or r[1] for r in rows][::-1]
    ax.barh(range(len(rows)), [r[3] for r in rows][::-1], color="#d62728")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel(tr("Cases"))
    _whole_numbers(ax.xaxis)


def _chart_timeliness(report, table, ax) -> None:
    labels = _labels(table, 0, 1)
    _stacked(ax, labels, [(tr("On time"), [r[3] for r in table.rows], "#3a923a"),
                          (tr("Late"), [r[4] for r in table.rows], "#ff7f0e"),
                          (tr("Open, within deadline"), [r[5] for r in table.rows], "#e0b400"),
                          (tr("Open, overdue"), [r[6] for r in table.rows], "#d62728")])
    ax.set_ylabel(tr("Cases"))


def _chart_farmland(report, table, ax) -> None:
    labels = _labels(table, 0, 1)
    x = list(range(len(labels)))
    ax.bar([i - 0.2 for i in x], [r[3] or 0 for r in table.rows], 0.4, label=tr("Farmland"), color="#3a923a")
    ax.bar([i + 0.2 for i in x], [r[4] or 0 for r in table.rows], 0.4, label=tr("Basic farmland"), color="#1f77b4")
    targets = [(i, r[5], r[6]) for i, r in zip(x, table.rows) if r[5] is not None or r[6] is not None]
    if targets:
        ax.scatter([i - 0.2 for i, f, _ in targets if f is not None], [f for _, f, _ in targets if f is not None],
                   marker="_", s=300, color="black", label=tr("Farmland target"))
        ax.scatter([i + 0.2 for i, _, b in targets if b is not None], [b for _, _, b in targets if b is not None],
                   marker="_", s=300, color="#d62728", label=tr("Basic farmland target"))
    _bar_labels(ax, labels)
    ax.set_ylabel(tr("Area (mu)"))
    ax.legend(fontsize=8)


#: the trend's marker styles by where a year comes from: official (imported) figures solid with a black edge, the
#: coded survey solid, derived years (bounds) hollow
_TREND_STYLES = {"imported": {"filled": True, "edge": "black", "size": 70},
                 "coded": {"filled": True, "edge": None, "size": 40},
                 "derived": {"filled": False, "edge": None, "size": 40}}


def _trend_markers(ax, years, values, kinds, marker, colour) -> None:
    """One marker per year in the style of its kind (:data:`_TREND_STYLES`)."""
    for kind in dict.fromkeys(kinds):
        style = _TREND_STYLES.get(kind, _TREND_STYLES["coded"])
        at = [i for i, k in enumerate(kinds) if k == kind]
        ax.scatter([years[i] for i in at], [values[i] for i in at], marker=marker, s=style["size"], zorder=3,
                   facecolors=colour if style["filled"] else "white", edgecolors=style["edge"] or colour,
                   linewidths=1.5)


def _trend_kind_legend(ax, kinds) -> None:
    """Legend entries for the kinds of year shown (a grey marker each), after the lines'."""
    labels = trend_source_labels()
    for kind in ("imported", "coded", "derived"):
        if kind in kinds:
            style = _TREND_STYLES[kind]
            ax.scatter([], [], marker="o", s=style["size"], facecolors="grey" if style["filled"] else "white",
                       edgecolors=style["edge"] or "grey", linewidths=1.5, label=labels[kind])


def _chart_trend(report, table, ax) -> None:
    rows = report.trend
    years = [r.year for r in rows]
    wan = 10000.0
    if rows:
        kinds = list(table.kinds) + [""] * (len(rows) - len(table.kinds))
        for values, marker, colour, label in (([r.farmland_mu / wan for r in rows], "o", "#3a923a", tr("Farmland")),
                                              ([r.basic_mu / wan for r in rows], "s", "#1f77b4",
                                               tr("Basic farmland"))):
            ax.plot(years, values, color=colour, label=label)
            _trend_markers(ax, years, values, kinds, marker, colour)
        _trend_kind_legend(ax, kinds)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years])
    red = tr("Prefecture red lines: farmland {farm} 10k mu, permanent basic farmland {basic} 10k mu").format(
        farm=f"{stats.PREFECTURE_FARMLAND_MU / wan:.2f}", basic=f"{stats.PREFECTURE_BASIC_MU / wan:.2f}")
    if report.red_lines or not rows:
        ax.axhline(stats.PREFECTURE_FARMLAND_MU / wan, color="#d62728", linestyle="--",
                   label=tr("Farmland red line"))
        ax.axhline(stats.PREFECTURE_BASIC_MU / wan, color="#ff7f0e", linestyle="--",
                   label=tr("Basic farmland red line"))
    ax.text(0.01, 0.01, red if rows else "\n".join([table.note, red]), transform=ax.transAxes, fontsize=8,
            color="#d62728", va="bottom")
    ax.set_ylabel(tr("10k mu"))
    ax.legend(fontsize=8, loc="center right")


def draw_into(report: Report, name: str, ax) -> None:
    """Draw panel ``name`` on the axes ``ax`` with its title (an empty panel says why): the dock's chart and the
    PDF page's upper half are the same drawing."""
    table = report.tables[name]
    draw = {"patrols": _chart_patrols, "coverage": _chart_coverage, "officers": _chart_officers,
            "cases": _chart_cases, "ranking": _chart_ranking, "timeliness": _chart_timeliness,
            "farmland": _chart_farmland, "trend": _chart_trend}[name]
    if not table.rows and name != "trend":
        ax.set_axis_off()
        ax.text(0.5, 0.5, table.note or tr("No data for this filter."), ha="center", va="center")
    else:
        draw(report, table, ax)
    ax.set_title(table.title, fontsize=12)
