"""How Vietnamese writes a class's name: 'khóa I, lớp thứ nhất, năm 2021'."""

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def roman(number):
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def number_in_words(number):
    """Vietnamese words for 1..99, as ordinals read them ('mười lăm', 'hai mươi mốt')."""
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if units == 0:
        return head
    if units == 5:
        tail = "lăm"
    elif units == 1 and tens > 1:
        tail = "mốt"
    elif units == 4 and tens > 1:
        tail = "tư"
    else:
        tail = _DIGITS[units]
    return f"{head} {tail}"


def ordinal(number):
    """'thứ nhất', 'thứ hai', 'thứ tư', 'thứ mười một'."""
    special = {1: "nhất", 4: "tư"}
    return f"thứ {special.get(number) or number_in_words(number)}"


def course_title(program_name, intake, number, year):
    """The class's official name; it stays Vietnamese in every language, as on its certificates."""
    return f"{program_name}, khóa {roman(intake)}, lớp {ordinal(number)}, năm {year}"
