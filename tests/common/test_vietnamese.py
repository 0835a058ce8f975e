"""Vietnamese text rules: stored names, diacritics-free search keys, and roster order."""

import random
import string
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from common.vietnamese import normalize_name, search_key, sort_key
from organizations.models import Member
from tests import factories

# The alphabet in dictionary order, written out independently of the code under test.
ALPHABET = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
# Each vowel with its tones, in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
TONED_VOWELS = {
    "a": "aàảãáạ",
    "ă": "ăằẳẵắặ",
    "â": "âầẩẫấậ",
    "e": "eèẻẽéẹ",
    "ê": "êềểễếệ",
    "i": "iìỉĩíị",
    "o": "oòỏõóọ",
    "ô": "ôồổỗốộ",
    "ơ": "ơờởỡớợ",
    "u": "uùủũúụ",
    "ư": "ưừửữứự",
    "y": "yỳỷỹýỵ",
}
VIETNAMESE_LETTERS = sorted(set(ALPHABET) | set("".join(TONED_VOWELS.values())))


@st.composite
def syllables(draw):
    """A word as (base letters, tone), and its spelling with the tone on its first vowel."""
    letters = draw(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=6))
    vowels = [i for i, letter in enumerate(letters) if letter in TONED_VOWELS]
    tone = draw(st.integers(0, 5)) if vowels else 0
    spelled = list(letters)
    if tone:
        spelled[vowels[0]] = TONED_VOWELS[letters[vowels[0]]][tone]
    word = "".join(spelled)
    return word.capitalize() if draw(st.booleans()) else word, ([ALPHABET.index(x) for x in letters], tone)


@st.composite
def names(draw):
    """A full name, and the order Vietnamese dictionaries give it: given name first, then the rest."""
    words = draw(st.lists(syllables(), min_size=1, max_size=4))
    spelled = [word for word, _ in words]
    keys = [key for _, key in words]
    return " ".join(spelled), [keys[-1], *keys[:-1]]


vietnamese_text = st.text(alphabet=st.sampled_from([*VIETNAMESE_LETTERS, " "]), max_size=40)


def forms(text):
    return [
        text,
        unicodedata.normalize("NFD", text),
        unicodedata.normalize("NFC", text),
        text.upper(),
        text.lower(),
        text.title(),
    ]


# -- normalize_name ------------------------------------------------------------------------------


@given(st.text())
def test_normalize_name_is_idempotent_and_nfc(text):
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()
    assert "  " not in once


@given(vietnamese_text)
def test_normalize_name_stores_one_spelling_whatever_the_keyboard_typed(text):
    """Composed or decomposed input (Unikey vs macOS) is stored the same way."""
    assert normalize_name(unicodedata.normalize("NFD", text)) == normalize_name(text)


def test_normalize_name_collapses_blanks():
    assert normalize_name("  Nguyễn\u00a0 Văn\tAn \n") == "Nguyễn Văn An"
    assert normalize_name(None) == ""


# -- search_key ----------------------------------------------------------------------------------


@given(vietnamese_text)
def test_search_key_of_vietnamese_text_is_plain_lowercase_ascii(text):
    key = search_key(text)
    assert key.isascii()
    assert key == key.lower()
    assert set(key) <= set(string.ascii_lowercase + " ")


@given(vietnamese_text)
def test_search_key_ignores_normal_form_and_case(text):
    assert {search_key(form) for form in forms(text)} == {search_key(text)}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Phạm Anh Thiện", "pham anh thien"),
        ("ĐẶNG THỊ ĐÀO", "dang thi dao"),
        ("Nguyễn Ngọc Ước", "nguyen ngoc uoc"),
        ("Hoàng   Thuỳ  Dương", "hoang thuy duong"),
        (unicodedata.normalize("NFD", "Lưu Quỳnh Hương"), "luu quynh huong"),
    ],
)
def test_search_key_examples(name, key):
    assert search_key(name) == key


# -- sort_key ------------------------------------------------------------------------------------


@given(names(), names())
@example(("Ha", [([10, 0], 0)]), ("Hà", [([10, 0], 1)]))
def test_sort_key_orders_names_as_a_vietnamese_dictionary_does(first, second):
    """Given name first, letter by letter in the Vietnamese alphabet, the tone only between
    otherwise equal words; then the family and middle names the same way."""
    (name_1, order_1), (name_2, order_2) = first, second
    assert (sort_key(name_1) < sort_key(name_2)) == (order_1 < order_2)
    assert (sort_key(name_1) == sort_key(name_2)) == (order_1 == order_2)


@given(st.text())
def test_sort_key_uses_only_lowercase_ascii_letters(text):
    """So SQLite and PostgreSQL, whatever their collation, order it the same way."""
    assert set(sort_key(text)) <= set(string.ascii_lowercase)


@given(names())
def test_sort_key_ignores_normal_form_case_and_spacing(name):
    text, _order = name
    keys = {sort_key(form) for form in forms(text)} | {sort_key(f"  {text.replace(' ', '   ')} ")}
    assert keys == {sort_key(text)}


def test_sort_key_follows_the_alphabet():
    shuffled = random.Random(7).sample(ALPHABET, len(ALPHABET))
    assert sorted(shuffled, key=sort_key) == ALPHABET


def test_sort_key_orders_the_tones():
    """ngang < huyền < hỏi < ngã < sắc < nặng, and a longer word after every tone of the shorter."""
    in_order = ["Ha", "Hà", "Hả", "Hã", "Há", "Hạ", "Hai"]
    assert sorted(reversed(in_order), key=sort_key) == in_order


def test_sort_key_puts_d_before_dj_and_the_given_name_first():
    people = ["Đỗ Văn Đức", "Trần Thị Dung", "Lê An", "Nguyễn Văn An", "Bùi Thị Ánh", "Phạm Văn Đạt"]
    assert sorted(people, key=sort_key) == [
        "Lê An",
        "Nguyễn Văn An",
        "Bùi Thị Ánh",
        "Trần Thị Dung",
        "Phạm Văn Đạt",
        "Đỗ Văn Đức",
    ]


def test_sort_key_of_an_empty_name_sorts_first():
    assert sort_key("   ") == ""
    assert sort_key("") < sort_key("A")


ROSTER = [
    "Nguyễn Văn An",
    "Trần An",
    "Lê Thị Ánh",
    "Phạm Văn Bảo",
    "Đỗ Minh Châu",
    "Vũ Thị Dung",
    "Hoàng Văn Đạt",
    "Bùi Thị Hà",
    "Đặng Thu Hà",
    "Phan Văn Hà",
    "Đinh Thị Hạ",
    "Lưu Văn Hai",
    "Võ Thị Hải",
    "Tô Văn Ơn",
    "Mai Văn Ưng",
    "Lý Thị Yến",
]


def test_roster_order_in_the_database_is_vietnamese_order(db):
    """Member.objects.roster_order() sorts in the database exactly as the dictionary does."""
    organization = factories.OrganizationFactory()
    for name in random.Random(3).sample(ROSTER, len(ROSTER)):
        factories.MemberFactory(full_name=name, organization=organization, birth_date=None)
    assert [member.full_name for member in Member.objects.roster_order()] == ROSTER
