"""How a class is named in Vietnamese: roman intake numbers and ordinal class numbers."""

import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from courses.wording import course_title, number_in_words, ordinal, roman
from tests import factories

CANONICAL_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


def from_roman(numeral):
    total = 0
    for letter, following in zip(numeral, [*numeral[1:], None], strict=True):
        value = ROMAN_VALUES[letter]
        total += -value if following and ROMAN_VALUES[following] > value else value
    return total


@pytest.mark.parametrize(
    ("number", "numeral"),
    [(1, "I"), (2, "II"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"), (1994, "MCMXCIV")],
)
def test_roman_examples(number, numeral):
    assert roman(number) == numeral


@given(st.integers(1, 3999))
def test_roman_numerals_are_canonical_and_read_back(number):
    numeral = roman(number)
    assert CANONICAL_ROMAN.fullmatch(numeral)
    assert from_roman(numeral) == number


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (1, "thứ nhất"),
        (2, "thứ hai"),
        (3, "thứ ba"),
        (4, "thứ tư"),
        (5, "thứ năm"),
        (7, "thứ bảy"),
        (10, "thứ mười"),
        (11, "thứ mười một"),
        (14, "thứ mười bốn"),
        (15, "thứ mười lăm"),
        (20, "thứ hai mươi"),
        (21, "thứ hai mươi mốt"),
        (24, "thứ hai mươi tư"),
        (25, "thứ hai mươi lăm"),
        (31, "thứ ba mươi mốt"),
        (70, "thứ bảy mươi"),
        (99, "thứ chín mươi chín"),
    ],
)
def test_ordinal_examples(number, words):
    assert ordinal(number) == words


@given(st.integers(1, 99))
def test_number_words_use_the_spoken_forms_of_the_units(number):
    """After a ten, 5 is 'lăm'; after twenty and up, 1 is 'mốt' and 4 is 'tư'; 'không' never appears."""
    tens, units = divmod(number, 10)
    words = number_in_words(number).split()
    assert "không" not in words
    assert ("lăm" in words) == (tens >= 1 and units == 5)
    assert ("mốt" in words) == (tens >= 2 and units == 1)
    assert ("tư" in words) == (tens >= 2 and units == 4)
    assert (words[0] == "mười") == (tens == 1)
    assert ("mươi" in words) == (tens >= 2)


def test_numbers_outside_words_stay_digits():
    assert number_in_words(100) == "100"
    assert ordinal(100) == "thứ 100"


def test_course_title_reads_as_a_vietnamese_class_name():
    with translation.override("vi"):
        title = course_title("Bồi dưỡng nghiệp vụ công tác đảng", 1, 1, 2021)
    assert title == "Bồi dưỡng nghiệp vụ công tác đảng, khóa I, lớp thứ nhất, năm 2021"


def test_course_title_property_names_its_program_intake_and_number(db):
    program = factories.ProgramFactory(name="Bồi dưỡng bí thư chi bộ")
    course = factories.CourseFactory(program=program, intake=4, number=24, year=2019)
    with translation.override("vi"):
        assert course.title == "Bồi dưỡng bí thư chi bộ, khóa IV, lớp thứ hai mươi tư, năm 2019"
        assert str(course) == f"{course.code} — {course.title}"
