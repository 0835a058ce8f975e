"""Numbers as the page's language writes them: "63,0%" and "8,5" in Vietnamese, "63.0%" and "8.5" in English,
thousands grouped ("1.234" and "1,234"). The separators are config/formats' for the active language. Every share,
percentage, score and average a page, a chart or a message shows goes through here; templates load the filters
with {% load numbers %}."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.db import models
from django.utils.formats import number_format

register = template.Library()

MISSING = "—"


@register.filter
def decimal(value: float | Decimal | int | None, digits: int = 1) -> str:
    """The number with `digits` decimals, in the active language; "—" for none."""
    if value is None or value == "":
        return MISSING
    # Rounded half up here: Django's number_format cuts the decimals it does not show (99.96 would be "99,9").
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)
    return number_format(rounded + 0, int(digits), force_grouping=True)  # + 0: no "-0"


@register.filter
def percent(value: float | Decimal | int | None, digits: int = 1) -> str:
    """A percentage already multiplied by 100, e.g. 63.04 → "63,0%"; "—" for none."""
    shown = decimal(value, digits)
    return shown if shown == MISSING else f"{shown}%"


@register.filter
def share(value: float | Decimal | None, digits: int = 1) -> str:
    """A fraction as a percentage, e.g. 0.6304 → "63,0%"; "—" for none."""
    return percent(None if value is None else 100 * value, digits)


class LocalizedDecimalField(models.DecimalField):
    """A DecimalField whose form input is a text box read and written the page's way ("7,5"; "7.5" is accepted
    too), rather than a number box showing "7.5". Migrations see a plain DecimalField."""

    def formfield(self, **kwargs):
        field = super().formfield(**{"localize": True, **kwargs})
        if field is not None:
            field.widget.attrs.setdefault("inputmode", "decimal")
        return field

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
