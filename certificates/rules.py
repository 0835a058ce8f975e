"""The rules of a certificate's dates and numbers, as plain functions that read nothing but their arguments (and the
clock, where they say so): which issue dates a class's certificates may carry, and which register numbers an issue
would take. Issuing (certificates/services.py), its preview page and the command all ask these."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.localtime import local_today


def issue_date_problem(end_date: datetime.date, issued_on: datetime.date, today: datetime.date) -> str | None:
    """Why a certificate of a class ending on `end_date` may not be dated `issued_on` when it is `today`, in
    Vietnamese; None when it may: not before the class's end, not after today."""
    if issued_on < end_date:
        return _(
            "Ngày cấp %(date)s trước ngày bế giảng của lớp (%(end)s): giấy chứng nhận không cấp trước khi lớp học xong."
        ) % {
            "date": f"{issued_on:%d/%m/%Y}",
            "end": f"{end_date:%d/%m/%Y}",
        }
    if issued_on > today:
        return _(
            "Ngày cấp %(date)s sau ngày hôm nay (%(today)s): không cấp giấy chứng nhận đề ngày trong tương lai."
        ) % {
            "date": f"{issued_on:%d/%m/%Y}",
            "today": f"{today:%d/%m/%Y}",
        }
    return None


def check_issue_date(
    end_date: datetime.date, issued_on: datetime.date | None, today: datetime.date | None = None
) -> datetime.date:
    """The issue date to use for a class ending on `end_date`: `issued_on` when it is allowed, today when none is
    given and today is allowed; a ValidationError on "issued_on" saying why otherwise. The register year is the
    year of the date returned."""
    today = today or local_today()
    if issued_on is None:
        if today < end_date:
            raise ValidationError(
                {
                    "issued_on": _(
                        "Lớp bế giảng ngày %(end)s, sau ngày hôm nay (%(today)s): hãy ghi rõ ngày cấp, "
                        "không trước ngày bế giảng."
                    )
                    % {"end": f"{end_date:%d/%m/%Y}", "today": f"{today:%d/%m/%Y}"}
                }
            )
        return today
    problem = issue_date_problem(end_date, issued_on, today)
    if problem:
        raise ValidationError({"issued_on": problem})
    return issued_on


def next_register_numbers(last_number: int, count: int) -> range:
    """The numbers `count` new certificates take in a register book whose last number is `last_number`: what
    services.take_register_numbers() takes, without taking them."""
    return range(last_number + 1, last_number + 1 + count)
