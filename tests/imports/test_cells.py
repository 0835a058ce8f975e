"""Reading cells the ways people type them: dates, names, phone numbers, e-mail addresses, choices."""

import datetime
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.imports.cells import (
    CellError,
    DateValue,
    cell_message,
    parse_choice,
    parse_date,
    parse_email,
    parse_person_name,
    parse_phone,
)
from organizations.models import Post
from organizations.people_columns import POST_CHOICES
from organizations.tree_import import parse_term

MARCH_5 = DateValue(datetime.date(1975, 3, 5))
DAYS = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(1975, 3, 5),  # an Excel date cell
        datetime.date(1975, 3, 5),
        27458,  # an Excel date serial in a cell not formatted as a date
        "05/03/1975",
        "5/3/1975",
        "05-03-1975",
        "5.3.1975",
        " 05 / 03 / 1975 ",
        "1975-03-05",
    ],
)
def test_a_date_is_read_from_every_shape_it_comes_in(value):
    assert parse_date(value) == MARCH_5


@pytest.mark.parametrize("value", [1975, 1975.0, "1975"])
def test_a_year_alone_is_a_date_known_only_to_the_year(value):
    assert parse_date(value) == DateValue(datetime.date(1975, 1, 1), year_only=True)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_cell_is_no_date(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("31/02/1980", "31/02/1980"),
        ("13/13/1980", "13/13/1980"),
        ("05/03/75", "05/03/75"),
        ("ngày 5 tháng 3", "ngày 5 tháng 3"),
        (datetime.datetime(1850, 1, 1), "01/01/1850"),
        (-5, "-5"),
        (True, "True"),
    ],
)
def test_what_is_not_a_date_says_so_with_the_value_as_written(value, shown):
    with pytest.raises(CellError) as raised:
        parse_date(value)

    assert str(raised.value) == f"'{shown}' không phải ngày hợp lệ"


def test_a_cell_message_names_the_row_and_the_column():
    with pytest.raises(CellError) as raised:
        parse_date("31/02/1980")

    assert cell_message(12, "Ngày sinh", str(raised.value)) == (
        "Dòng 12, cột Ngày sinh: '31/02/1980' không phải ngày hợp lệ"
    )


@pytest.mark.parametrize(
    "value",
    [
        "Nguyễn Thị Hà",
        unicodedata.normalize("NFD", "Nguyễn Thị Hà"),  # combining accents, as some systems export
        "  Nguyễn   Thị  Hà ",
        "NGUYỄN THỊ HÀ",
        unicodedata.normalize("NFD", "NGUYỄN THỊ HÀ"),
    ],
)
def test_a_name_is_stored_in_nfc_with_single_spaces_and_capitals_turned_to_title_case(value):
    name = parse_person_name(value, 128)

    assert name == "Nguyễn Thị Hà"
    assert unicodedata.is_normalized("NFC", name)


def test_a_name_longer_than_the_field_is_refused():
    with pytest.raises(CellError):
        parse_person_name("Nguyễn " * 30, 128)


@pytest.mark.parametrize(("value", "phone"), [(912345678, "0912345678"), ("0912 345 678", "0912 345 678")])
def test_a_phone_number_excel_stored_as_a_number_gets_its_leading_zero_back(value, phone):
    assert parse_phone(value, 32) == phone


def test_an_invalid_email_is_refused_and_a_valid_one_kept():
    assert parse_email("an@ubkt.vn") == "an@ubkt.vn"
    with pytest.raises(CellError) as raised:
        parse_email("an@ubkt")
    assert "thư điện tử" in str(raised.value)


@pytest.mark.parametrize(
    ("value", "post"),
    [
        ("Bí thư", Post.SECRETARY),
        ("bi thu chi bo", Post.SECRETARY),
        ("PHÓ BÍ THƯ", Post.DEPUTY_SECRETARY),
        ("Uỷ viên BTV", Post.STANDING_MEMBER),  # the older placement of the tone mark
        ("Chi ủy viên", Post.COMMITTEE_MEMBER),
    ],
)
def test_a_post_is_read_from_its_usual_names(value, post):
    assert parse_choice(value, POST_CHOICES, "chức vụ") == post


def test_an_unknown_post_lists_the_accepted_names():
    with pytest.raises(CellError) as raised:
        parse_choice("Trưởng phòng", POST_CHOICES, "chức vụ")

    assert str(raised.value).startswith("'Trưởng phòng' không phải chức vụ hợp lệ (chọn một trong: Bí thư, Phó Bí thư")


@pytest.mark.parametrize("value", ["2020-2025", "2020 – 2025", "2020—2025", "2020/2025"])
def test_a_term_is_written_with_an_en_dash(value):
    assert parse_term(value) == "2020–2025"


@pytest.mark.parametrize("value", ["2025-2020", "2020", "khóa XII"])
def test_a_term_that_is_not_two_years_in_order_is_refused(value):
    with pytest.raises(CellError):
        parse_term(value)


@given(typed=DAYS, stored=DAYS)
def test_a_typed_date_matches_a_stored_one_on_the_day_and_a_year_alone_on_the_year(typed, stored):
    day, year = parse_date(typed.strftime("%d/%m/%Y")), parse_date(typed.year)
    assert day.matches(typed) and year.matches(typed)
    assert day.matches(stored) == (stored == typed)
    assert year.matches(stored) == (stored.year == typed.year)
    assert not day.matches(None) and not year.matches(None)
    assert (str(day), str(year)) == (typed.strftime("%d/%m/%Y"), str(typed.year))
