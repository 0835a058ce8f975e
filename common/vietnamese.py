"""Vietnamese text rules: name normalization, diacritics-free search keys, roster sort keys."""

import unicodedata

# Digits, then the Vietnamese alphabet in dictionary order, with the letters of foreign names
# placed where Latin puts them.
ALPHABET = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Tone marks as combining characters, in dictionary order after the unmarked syllable:
# huyền, hỏi, ngã, sắc, nặng.
TONES = "\u0300\u0309\u0303\u0301\u0323"
# Marks that make a separate letter (ă, â, ê, ô, ơ, ư) rather than a tone.
LETTER_MARKS = "\u0306\u0302\u031b"


def normalize_name(text: str | None) -> str:
    """NFC, single spaces, no leading or trailing blanks: how every name is stored."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def search_key(text: str | None) -> str:
    """Lower-case text without diacritics: 'Phạm Anh Thiện' -> 'pham anh thien'."""
    decomposed = unicodedata.normalize("NFD", normalize_name(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _split_tone(ch):
    """Return the letter without its tone mark, and the tone's rank (0 for none)."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = 0
    letter = ""
    for part in decomposed:
        if part in TONES:
            tone = TONES.index(part) + 1
        elif part in LETTER_MARKS or not unicodedata.combining(part):
            letter += part
    return unicodedata.normalize("NFC", letter), tone


def _word_key(word):
    # Two ASCII letters per character keep the key comparable the same way on SQLite and on
    # PostgreSQL whatever the database collation; the tone sorts after the letters, below them.
    letters = []
    tone = 0
    for ch in word:
        letter, ch_tone = _split_tone(ch)
        tone = tone or ch_tone
        rank = ALPHABET.index(letter) + 1 if letter in ALPHABET else len(ALPHABET) + 1
        letters.append(chr(ord("c") + rank // 26) + chr(ord("a") + rank % 26))
    return "".join(letters) + "b" + chr(ord("a") + tone)


def sort_key(full_name: str | None) -> str:
    """A key that orders people the Vietnamese way: given name first, then the rest in order.

    Within a word, letters compare in Vietnamese alphabetical order (a ă â b c d đ …) and the tone
    only decides between otherwise equal syllables (Ha, Hà, Hả, Hã, Há, Hạ, Hai).
    """
    words = normalize_name(full_name).lower().split()
    if not words:
        return ""
    ordered = [words[-1], *words[:-1]]
    return "aa".join(_word_key(word) for word in ordered)
