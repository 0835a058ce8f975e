"""Adding months to a date, once: in Python (add_months) and in the database (AddMonths), both keeping the day of
the month and falling back to the month's last day when it has none (31 January + 1 month = 28 or 29 February)."""

import calendar
import datetime

from django.db.models import DateField, Func


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class AddMonths(Func):
    """A date expression plus a fixed number of months, as add_months() does it."""

    output_field = DateField()
    arity = 1

    def __init__(self, expression, months: int, **extra):
        self.months = int(months)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL: the interval clamps to the month's end
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + make_interval(months => {self.months}))::date", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's '+N months' rolls over into the next month (31 Jan + 1 month = 3 March): the smaller of that and
        # the target month's last day is the clamped date.
        sql, params = compiler.compile(self.source_expressions[0])
        months, following = f"'{self.months:+d} months'", f"'{self.months + 1:+d} months'"
        clamped = f"MIN(DATE({sql}, {months}), DATE({sql}, 'start of month', {following}, '-1 day'))"
        return clamped, params * 2
