"""The quality verdict of the classes run by the committees: judged from the indicators when a self-run class
closes (a hook of courses.lifecycle.record_closed, filled in oversight/apps.py), and the center's acceptance of a
class judged short of the requirements, after which its certificates count for "trained" (certificates/training.py
reads Course.quality; courses.lifecycle.record_quality writes it, its history naming who and why)."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from courses.lifecycle import record_quality
from courses.models import RESULTS_STORED, Course
from organizations.permissions import may_accept_class
from oversight.indicators import indicators_for, stored_reasons

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Quality = Course.Quality


def judge_closed_class(course: Course, by: Any = None) -> Course:
    """Store the verdict of a self-run class just closed (the center's and co-organized classes are the center's
    own and are not judged): met, or not met with its reasons."""
    course = Course.objects.select_related("organizer").get(pk=course.pk)
    if course.kind != Course.Kind.SELF_RUN:
        return course
    indicators = indicators_for([course])[course.pk]
    quality = Quality.MET if indicators.meets_requirements else Quality.NOT_MET
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Đánh giá chất lượng khi kết thúc lớp")
    return record_quality(course, quality, stored_reasons(indicators), by=by, reason=reason)


@transaction.atomic
def accept_class(course: Course, *, by: "User | None", reason: str) -> Course:
    """The center accepts a closed class its indicators mark "chưa đạt yêu cầu", with a written reason the history
    keeps: its certificates then count for compliance and the nomination rule."""
    if not may_accept_class(by):
        raise PermissionDenied(_("Chỉ cán bộ Trung tâm được công nhận lớp."))
    course = Course.objects.select_for_update(of=("self",)).get(pk=course.pk)
    if course.status not in RESULTS_STORED or course.quality != Quality.NOT_MET:
        raise ValidationError(
            _("Lớp %(code)s không phải lớp đã kết thúc và chưa đạt yêu cầu: không có gì để công nhận.")
            % {"code": course.code}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do công nhận lớp.")})
    with translation.override(settings.LANGUAGE_CODE):
        recorded = _("Trung tâm công nhận lớp: %(reason)s") % {"reason": reason}
    return record_quality(course, Quality.ACCEPTED, course.quality_reasons, by=by, reason=recorded)
