"""Search keys of a name, an ID number and a phone: pure functions, no database.

Town staff look a person up by whatever they know (issue 6): part of the Chinese name, its
pinyin in full, by initials or mixed (``zhangsanfeng``, ``zsf``, ``zhangsf`` for 张三丰), the
trailing digits of the ID number, or part of the phone number.

Every key is matched by *prefix* in an ordinary B-tree index, so a key is made for every suffix
of the name (a prefix of a suffix is any substring) and, for pinyin, every mix of full syllables
and initials from that position on. Surnames read differently from the dictionary default
(单 shan, 曾 zeng, 仇 qiu, 解 xie, 区 ou, 朴 piao): every reading of every character is indexed,
bounded per name.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

# Key namespaces: one index holds all kinds; the prefix keeps them apart.
NAME = "n"  # Chinese name suffixes: 张三丰, 三丰, 丰
PINYIN = "p"  # pinyin mixes from each position: zhangsanfeng, zsf, zhangsf, sanfeng, sf …
ID_TAIL = "i"  # the ID number reversed: trailing digits become a prefix
PHONE = "t"  # phone suffixes: any run of digits becomes a prefix

MAX_MIXES = 64  # per name position: bounds the keys of a long name with many readings
MIN_DIGITS = 4  # ID tails and phone parts shorter than this match too many people

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]+")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), lower case, no spaces or separators."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s·・\-_'.]+", "", text)


@lru_cache(maxsize=20000)
def readings(char: str) -> tuple[str, ...]:
    """Every pinyin reading of a character (ü typed as v or u), dictionary default first."""
    if not _HAN.fullmatch(char):
        return (char,) if _LATIN.fullmatch(char) or char.isdigit() else ()
    default = lazy_pinyin(char)[0]
    found = [default, *pinyin(char, heteronym=True, style=Style.NORMAL)[0]]
    result: list[str] = []
    for reading in found:
        for spelling in (reading, reading.replace("v", "u")):
            if spelling and spelling not in result:
                result.append(spelling)
    return tuple(result)


def _options(char: str) -> list[str]:
    """Full readings and initials of one character."""
    full = readings(char)
    initials = {r[0] for r in full}
    return [*full, *sorted(initials - set(full))]


def name_keys(name: str) -> set[str]:
    """Suffixes of the Chinese name (a prefix search on them finds any substring)."""
    name = normalise(name)
    return {NAME + name[i:] for i in range(len(name))}


def pinyin_keys(name: str) -> set[str]:
    """Pinyin mixes of full syllables and initials from every position of the name."""
    chars = [c for c in normalise(name) if readings(c)]
    keys: set[str] = set()
    for start in range(len(chars)):
        options = [_options(c) for c in chars[start:]]
        total = 1
        for choice in options:
            total *= len(choice)
        if total <= MAX_MIXES:
            keys.update(PINYIN + "".join(c) for c in itertools.product(*options))
            continue
        # Too many readings (a long name): every reading or initial of the first character,
        # then the rest in full, by initials, or the next syllable in full and then initials.
        rest = [readings(c)[0] for c in chars[start + 1 :]]
        tails = {"".join(rest), "".join(r[0] for r in rest)}
        tails.add(rest[0] + "".join(r[0] for r in rest[1:]) if rest else "")
        keys.update(PINYIN + head + tail for head in options[0] for tail in tails)
    return keys


def id_key(id_number: str) -> set[str]:
    """The ID number reversed, so that its trailing digits are a prefix."""
    value = normalise(id_number).upper()
    return {ID_TAIL + value[::-1]} if len(value) >= MIN_DIGITS else set()


def phone_keys(*phones: str) -> set[str]:
    """Suffixes of each phone's digits (at least MIN_DIGITS long)."""
    keys: set[str] = set()
    for phone in phones:
        digits = re.sub(r"\D", "", normalise(phone))
        keys.update(PHONE + digits[i:] for i in range(len(digits) - MIN_DIGITS + 1))
    return keys


def elder_keys(name: str, id_number: str, *phones: str) -> set[str]:
    """All search keys of one elder."""
    return name_keys(name) | pinyin_keys(name) | id_key(id_number) | phone_keys(*phones)


def query_keys(query: str) -> list[tuple[str, str]]:
    """The (namespace, prefix) pairs a typed query looks up.

    Chinese text looks up names; Latin letters look up pinyin; 4+ digits (an ID may end in X) look
    up ID tails and phones. Mixed text (张sf) looks up nothing here: the text index still runs.
    """
    value = normalise(query)
    if not value:
        return []
    if _HAN.search(value) and not re.search(r"[a-z0-9]", value):
        return [(NAME, value)]
    if re.fullmatch(r"[a-z]+", value) and len(value) >= 2:
        return [(PINYIN, value)]
    if re.fullmatch(r"\d+x?", value) and len(value) >= MIN_DIGITS:
        pairs = [(ID_TAIL, value.upper()[::-1])]
        if value.isdigit():
            pairs.append((PHONE, value))
        return pairs
    return []


def prefix_bounds(key: str) -> tuple[str, str]:
    """``lower <= k < upper`` selects every key starting with ``key`` (code point order)."""
    return key, key[:-1] + chr(ord(key[-1]) + 1)
