import datetime

from utils import dates


def test_styles_and_era_boundaries():
    d = datetime.date(2023, 3, 14)
    assert [dates.japanese_date(d, s) for s in range(4)] == [
        "2023年3月14日",
        "二〇二三年三月十四日",
        "令和5年3月14日",
        "令和五年三月十四日",
    ]
    assert dates.japanese_date(datetime.date(1989, 1, 7), 2) == "昭和64年1月7日"
    assert dates.japanese_date(datetime.date(1989, 1, 8), 2) == "平成元年1月8日"
    assert dates.japanese_date(datetime.date(2019, 4, 30), 3) == "平成三十一年四月三十日"
    assert dates.japanese_date(datetime.date(2019, 5, 1), 3) == "令和元年五月一日"
    assert dates.japanese_date(datetime.date(1926, 12, 25), 2) == "昭和元年12月25日"


def test_kanji_numbers():
    assert [dates.kanji_number(n) for n in (1, 10, 11, 20, 24, 31, 64)] == ["一", "十", "十一", "二十", "二十四", "三十一", "六十四"]
    assert dates.kanji_digits(2000) == "二〇〇〇"


def test_make_pairs_unique_and_consistent():
    pairs = dates.make_pairs(500, seed=0)
    assert len({s for s, _ in pairs}) == 500
    assert pairs == dates.make_pairs(500, seed=0)
    for _, iso in pairs:
        d = datetime.date.fromisoformat(iso)
        assert dates.FIRST_DAY <= d <= dates.LAST_DAY
