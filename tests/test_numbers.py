"""Numbers the page's way: "63,0%" and "8,5" in Vietnamese, "63.0%" and "8.5" once English is chosen, on the
report charts and figures, the portal's scores and the admin's decimal inputs; all through common.numbers."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from common.numbers import decimal, percent, share
from enrollments.models import Enrollment
from reports import charts
from tests.test_vietnamese_pages import visible_text

# A share written the English way ("21.7%") or the Vietnamese way ("63,0%").
ENGLISH_PERCENT = re.compile(r"(?<![\d.,])\d+\.\d+%")
VIETNAMESE_PERCENT = re.compile(r"(?<![\d.,])\d+,\d+%")

numbers = st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=3) | st.floats(-1e6, 1e6)


@given(value=numbers, digits=st.integers(0, 3))
def test_a_number_is_written_rounded_with_the_active_languages_separators(value, digits):
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP) + 0
    english = f"{rounded:,.{digits}f}"

    with translation.override("en"):
        assert decimal(value, digits) == english
    with translation.override("vi"):
        assert decimal(value, digits) == english.translate(str.maketrans(",.", ".,"))


@given(value=st.decimals(min_value=0, max_value=1, allow_nan=False, places=4))
def test_a_share_is_a_percentage_with_one_decimal(value):
    with translation.override("vi"):
        written = share(value)

    assert re.fullmatch(r"\d{1,3},\d%", written)
    assert Decimal(written[:-1].replace(",", ".")) == (100 * value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def test_a_share_is_rounded_not_cut():
    with translation.override("vi"):
        assert (percent(99.96), percent(Decimal("21.75")), decimal(0.26, 1)) == ("100,0%", "21,8%", "0,3")


def test_nothing_is_a_dash_in_either_language():
    for language in ("vi", "en"):
        with translation.override(language):
            assert decimal(None) == percent(None) == share(None) == "—"


def test_chart_values_and_tooltips_follow_the_language():
    items = [("Đảng ủy A", Decimal("21.74")), ("Đảng ủy B", 63)]
    with translation.override("vi"):
        vietnamese = charts.bars(items, maximum=100, unit="%")["bars"]
        columns = charts.columns([("2025", 12345)])["bars"]
    with translation.override("en"):
        english = charts.bars(items, maximum=100, unit="%")["bars"]

    assert [bar.text for bar in vietnamese] == ["21,7%", "63,0%"]
    assert [bar.text for bar in english] == ["21.7%", "63.0%"]
    assert columns[0].text == "12.345"


def page(client, url, language):
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # as the switch leaves it
    return visible_text(client.get(url).content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["reports:dashboard", "oversight:compliance"])
def test_report_pages_write_shares_the_vietnamese_way_until_english_is_chosen(world, client_for, url):
    vietnamese = page(client_for(world.center_staff), reverse(url), "vi")
    english = page(client_for(world.center_staff), reverse(url), "en")

    assert VIETNAMESE_PERCENT.findall(vietnamese)
    assert ENGLISH_PERCENT.findall(vietnamese) == []
    assert ENGLISH_PERCENT.findall(english)
    assert VIETNAMESE_PERCENT.findall(english) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["portal:course-list", "portal:course-detail"])
def test_the_portal_writes_a_score_the_vietnamese_way_until_english_is_chosen(world, client_for, name):
    world.enrollment_x.final_score = Decimal("8.0")
    world.enrollment_x.save()
    url = reverse(name, args=[world.root_course.code] if name.endswith("detail") else [])

    vietnamese = page(client_for(world.trainee_x), url, "vi")
    english = page(client_for(world.trainee_x), url, "en")

    assert re.search(r"(?<![\d.,])8,0(?![\d.,])", vietnamese) and not re.search(
        r"(?<![\d.,])8\.0(?![\d.,])", vietnamese
    )
    assert re.search(r"(?<![\d.,])8\.0(?![\d.,])", english)


@pytest.mark.parametrize(("typed", "stored"), [("8,5", "8.5"), ("8.5", "8.5"), ("10", "10"), (" 7,0 ", "7.0")])
def test_a_decimal_input_shows_and_reads_the_vietnamese_way(db, typed, stored):
    form_class = modelform_factory(Enrollment, fields=["final_score"])
    with translation.override("vi"):
        shown = str(form_class(instance=Enrollment(final_score=Decimal("7.5")))["final_score"])
        form = form_class({"final_score": typed})

        assert form.is_valid(), form.errors
    assert 'value="7,5"' in shown and 'type="number"' not in shown and 'inputmode="decimal"' in shown
    assert form.cleaned_data["final_score"] == Decimal(stored)


def test_a_decimal_input_refuses_a_word_in_vietnamese(db):
    with translation.override("vi"):
        form = modelform_factory(Enrollment, fields=["final_score"])({"final_score": "tám"})

        assert not form.is_valid()
        assert "Nhập một số" in " ".join(form.errors["final_score"])
