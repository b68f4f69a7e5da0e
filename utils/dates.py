"""09 の題材: 日本語の日付表記 (西暦・漢数字・和暦) と ISO 8601 形式 (YYYY-MM-DD) の組を作る。

- ``japanese_date(d, style)``: 日付を 4 種類の表記のどれかで書く (0: 2023年3月14日, 1: 二〇二三年三月十四日,
  2: 令和5年3月14日, 3: 令和五年三月十四日)。和暦は改元日で切り替え、1 年目は「元年」と書く。
- ``make_pairs(n, seed)``: 1926-12-25 (昭和元年) 〜 2030-12-31 から、入力の文字列が重複しない (表記, ISO 形式) の組を n 個。
"""

from __future__ import annotations

import datetime

import numpy as np

KANJI_DIGITS = "〇一二三四五六七八九"
ERAS = [("令和", datetime.date(2019, 5, 1)), ("平成", datetime.date(1989, 1, 8)), ("昭和", datetime.date(1926, 12, 25))]
FIRST_DAY, LAST_DAY = datetime.date(1926, 12, 25), datetime.date(2030, 12, 31)
STYLES = 4


def kanji_digits(n: int) -> str:
    """2023 → 二〇二三 (年の読み方: 1 桁ずつ)。"""
    return "".join(KANJI_DIGITS[int(c)] for c in str(n))


def kanji_number(n: int) -> str:
    """24 → 二十四 (月・日・和暦の年の読み方, 1〜99)。"""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else "十" if tens == 1 else KANJI_DIGITS[tens] + "十") + (KANJI_DIGITS[ones] if ones else "")


def japanese_date(d: datetime.date, style: int) -> str:
    if style == 0:  # 2023年3月14日
        return f"{d.year}年{d.month}月{d.day}日"
    if style == 1:  # 二〇二三年三月十四日
        return f"{kanji_digits(d.year)}年{kanji_number(d.month)}月{kanji_number(d.day)}日"
    era, start = next((name, start) for name, start in ERAS if d >= start)
    year = d.year - start.year + 1
    if style == 2:  # 令和5年3月14日
        return f"{era}{'元' if year == 1 else year}年{d.month}月{d.day}日"
    return f"{era}{'元' if year == 1 else kanji_number(year)}年{kanji_number(d.month)}月{kanji_number(d.day)}日"


def make_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    """入力 (日本語表記) が重複しない (日本語表記, ISO 形式) の組を n 個。日付と表記は一様に選ぶ。"""
    rng = np.random.default_rng(seed)
    pairs, span = {}, (LAST_DAY - FIRST_DAY).days + 1
    while len(pairs) < n:
        d = FIRST_DAY + datetime.timedelta(days=int(rng.integers(span)))
        pairs[japanese_date(d, int(rng.integers(STYLES)))] = d.isoformat()
    return list(pairs.items())


__all__ = ["ERAS", "FIRST_DAY", "LAST_DAY", "STYLES", "japanese_date", "kanji_digits", "kanji_number", "make_pairs"]
