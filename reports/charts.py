"""Bar charts as inline SVG drawn on the server: no script, no CDN, legible on a projector."""

from dataclasses import dataclass

from common.numbers import MISSING, decimal

COLUMN_WIDTH = 36
COLUMN_GAP = 10
PLOT_HEIGHT = 180
BAR_HEIGHT = 24
BAR_GAP = 8
BAR_LENGTH = 420
LABEL_WIDTH = 300


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as printed beside the bar
    exact: str  # the value in the bar's tooltip
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self):
        return self.x + self.width / 2

    @property
    def end(self):
        return self.x + self.width


def _text(value, unit, digits=1):
    """The value as the page's language writes it ("63,0%" in Vietnamese); a count without decimals."""
    if value is None:
        return MISSING
    return decimal(value, digits if isinstance(value, float) or unit else 0) + unit


def _scale(values, maximum):
    top = maximum or max((value for value in values if value is not None), default=0)
    return top or 1


def columns(items, *, maximum=None, unit=""):
    """Vertical bars for (label, value) items, e.g. per month or per year."""
    items = [(label, None if value is None else float(value) if unit else value) for label, value in items]
    top = _scale([value for _label, value in items], maximum)
    bars = []
    for index, (label, value) in enumerate(items):
        height = PLOT_HEIGHT * (value or 0) / top
        x = index * (COLUMN_WIDTH + COLUMN_GAP)
        # Whole numbers above a narrow column; the exact figure is in the column's tooltip.
        text = _text(value, unit, digits=0)
        bars.append(Bar(label, value, text, _text(value, unit), x, PLOT_HEIGHT - height + 20, COLUMN_WIDTH, height))
    return {
        "bars": bars,
        "width": max(len(bars) * (COLUMN_WIDTH + COLUMN_GAP), 1),
        "height": PLOT_HEIGHT + 50,
        "baseline": PLOT_HEIGHT + 20,
    }


def bars(items, *, maximum=None, unit=""):
    """Horizontal bars for (label, value) items, e.g. per committee or per lecturer."""
    items = [(label, None if value is None else float(value)) for label, value in items]
    top = _scale([value for _label, value in items], maximum)
    drawn = []
    for index, (label, value) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP)
        text = _text(value, unit)
        drawn.append(Bar(label, value, text, text, LABEL_WIDTH, y, BAR_LENGTH * (value or 0) / top, BAR_HEIGHT))
    return {
        "bars": drawn,
        "width": LABEL_WIDTH + BAR_LENGTH + 80,
        "height": max(len(drawn) * (BAR_HEIGHT + BAR_GAP), 1),
        "label_x": LABEL_WIDTH - 8,
    }
