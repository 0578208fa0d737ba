"""Dates as policy documents print them: one pattern (`DATE_PATTERN`, `DATE_RE`), one check
(`iso_date`: calendar-valid, 1949–2100) and Chinese-numeral dates turned Arabic (`arabic_dates`).
"""
from __future__ import annotations

import datetime
import re

# year, month, day: '2020年2月5日', '2020-02-05', '2020.2.5', '2020/2/5'
DATE_PATTERN = r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?"
DATE_RE = re.compile(DATE_PATTERN)


def iso_date(match: re.Match[str] | None) -> str:
    """The date a match holds, as ISO 'YYYY-MM-DD': the one date check of the project.

    Args:
        match: a match whose first three groups are year, month and day: of `DATE_RE`
            (`iso_date(DATE_RE.search(text))` for the first date in free text) or of a pattern
            built on it; None when nothing matched.
    Returns:
        The ISO date; '' for None, a year outside 1949–2100 or a day the calendar does not have.
    """
    if match is None:
        return ""
    year, month, day = (int(g) for g in match.groups()[:3])
    if not 1949 <= year <= 2100:
        return ""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


_CN_NUMERALS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0, "Ｏ": 0, "O": 0}
_CN_DATE = re.compile(r"([〇○零ＯO一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
                      r"\s*([一二三四五六七八九十]{1,3})\s*日")


def arabic_dates(text: str) -> str:
    """Dates in Chinese numerals as signatures print them, in Arabic: '二〇二〇年二月五日' ->
    '2020年2月5日', so that every date pattern reads them. Args: a text. Returns: the text."""
    def number(numeral: str) -> int:  # '十' 10, '十五' 15, '二十' 20, '二十五' 25
        tens, _, units = numeral.rpartition("十")
        if "十" not in numeral:
            return _CN_NUMERALS[numeral]
        return (_CN_NUMERALS[tens] if tens else 1) * 10 + (_CN_NUMERALS[units] if units else 0)

    def arabic(m: re.Match[str]) -> str:
        year = "".join(str(_CN_NUMERALS[c]) for c in m.group(1))
        return f"{year}年{number(m.group(2))}月{number(m.group(3))}日"

    return _CN_DATE.sub(arabic, text)
