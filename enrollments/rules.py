"""The completion rule and the grade bands, as pure functions of attendance and score."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import numbers

ATTENDED = ("present", "late")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", gettext_lazy("Giỏi")
    GOOD = "good", gettext_lazy("Khá")
    AVERAGE = "average", gettext_lazy("Trung bình")


GRADE_BANDS = ((Decimal("8"), Grade.EXCELLENT), (Decimal("6.5"), Grade.GOOD), (Decimal("5"), Grade.AVERAGE))


def grade_for(score: Decimal | None) -> Grade | None:
    """Giỏi from 8, Khá from 6.5, Trung bình from 5; below 5 (or no score) no grade."""
    if score is None:
        return None
    for floor, grade in GRADE_BANDS:
        if score >= floor:
            return grade
    return None


@dataclass(frozen=True)
class CompletionResult:
    completed: bool
    grade: Grade | None
    attended: int
    sessions: int
    reasons: list[str] = field(default_factory=list)

    @property
    def attended_percent(self):
        if not self.sessions:
            return Decimal("0")
        return (Decimal(100) * self.attended / self.sessions).quantize(Decimal("0.1"))


def evaluate_completion(
    statuses: Iterable[str], sessions: int, score: Decimal | None, *, threshold_percent: int, pass_score: Decimal
) -> CompletionResult:
    """Decide completion from the attendance statuses recorded over a course's sessions.

    `statuses` holds one status per recorded attendance; a session with no record counts as
    missed. Completed means attended share (present + late) >= threshold and score >= pass
    score. The reasons say, in words a trainee understands, why not.
    """
    counts = Counter(statuses)
    attended = min(sum(counts[status] for status in ATTENDED), sessions)
    reasons = []
    if sessions == 0:
        reasons.append(_("lớp chưa có buổi học nào"))
    elif attended * 100 < threshold_percent * sessions:
        reasons.append(
            _("vắng %(missed)d/%(sessions)d buổi (cần dự ít nhất %(threshold)d%%)")
            % {"missed": sessions - attended, "sessions": sessions, "threshold": threshold_percent}
        )
    if score is None:
        reasons.append(_("chưa có điểm bài thu hoạch"))
    elif score < pass_score:
        reasons.append(
            _("điểm bài thu hoạch %(score)s dưới điểm đạt %(pass_score)s")
            % {"score": numbers.decimal(score), "pass_score": numbers.decimal(pass_score)}
        )
    completed = not reasons
    return CompletionResult(
        completed=completed,
        grade=grade_for(score) if completed else None,
        attended=attended,
        sessions=sessions,
        reasons=reasons,
    )
