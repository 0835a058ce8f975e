"""The completion rule and grade bands: property tests over attendance and scores."""

from decimal import Decimal

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from enrollments.rules import Grade, evaluate_completion, grade_for

STATUSES = ["present", "late", "excused", "absent"]
scores = st.one_of(st.none(), st.decimals(min_value=0, max_value=10, places=1))


@st.composite
def attendance(draw):
    sessions = draw(st.integers(min_value=0, max_value=40))
    statuses = draw(st.lists(st.sampled_from(STATUSES), max_size=sessions))
    return statuses, sessions


@given(attendance(), scores, st.integers(min_value=1, max_value=100), st.decimals(min_value=0, max_value=10, places=1))
def test_completed_exactly_when_share_and_score_reach_the_thresholds(att, score, threshold, pass_score):
    statuses, sessions = att
    result = evaluate_completion(statuses, sessions, score, threshold_percent=threshold, pass_score=pass_score)
    attended = sum(status in ("present", "late") for status in statuses)
    expected = sessions > 0 and attended * 100 >= threshold * sessions and score is not None and score >= pass_score
    assert result.completed is expected
    assert result.attended == attended
    assert (result.reasons == []) is expected
    if expected:
        assert result.grade == grade_for(score)
    else:
        assert result.grade is None


@given(st.decimals(min_value=0, max_value=10, places=1))
def test_grade_bands(score):
    grade = grade_for(score)
    if score >= 8:
        assert grade == Grade.EXCELLENT
    elif score >= Decimal("6.5"):
        assert grade == Grade.GOOD
    elif score >= 5:
        assert grade == Grade.AVERAGE
    else:
        assert grade is None


def test_band_edges_belong_to_the_higher_grade():
    assert grade_for(Decimal("8.0")) == Grade.EXCELLENT
    assert grade_for(Decimal("7.9")) == Grade.GOOD
    assert grade_for(Decimal("6.5")) == Grade.GOOD
    assert grade_for(Decimal("6.4")) == Grade.AVERAGE
    assert grade_for(Decimal("5.0")) == Grade.AVERAGE
    assert grade_for(Decimal("4.9")) is None
    assert grade_for(None) is None


def test_exactly_the_threshold_completes():
    result = evaluate_completion(["present"] * 8 + ["absent"] * 2, 10, Decimal("5"), threshold_percent=80, pass_score=5)
    assert result.completed
    assert result.attended_percent == Decimal("80.0")


def test_reasons_name_the_missed_sessions_and_the_missing_score_in_vietnamese():
    with translation.override("vi"):
        result = evaluate_completion(
            ["present"] * 6 + ["late", "excused", "absent"], 10, None, threshold_percent=80, pass_score=5
        )
    assert not result.completed
    assert result.reasons == ["vắng 3/10 buổi (cần dự ít nhất 80%)", "chưa có điểm bài thu hoạch"]


def test_late_counts_as_attended_and_excused_does_not():
    late = evaluate_completion(["late"] * 10, 10, Decimal("9"), threshold_percent=100, pass_score=5)
    excused = evaluate_completion(["present"] * 9 + ["excused"], 10, Decimal("9"), threshold_percent=100, pass_score=5)
    assert late.completed
    assert not excused.completed


def test_low_score_reason_shows_the_score_with_a_decimal_comma():
    with translation.override("vi"):
        result = evaluate_completion(["present"] * 4, 4, Decimal("4.5"), threshold_percent=80, pass_score=Decimal("5"))
    assert result.reasons == ["điểm bài thu hoạch 4,5 dưới điểm đạt 5,0"]
