from datetime import date

from paperfeed.papers.periods import parse_day, parse_month, parse_week


def test_week_is_iso_monday_to_sunday():
    week = parse_week("2024-W51")
    assert (week.start, week.end, week.slug) == (date(2024, 12, 16), date(2024, 12, 22), "2024-W51")


def test_week_53_exists_only_in_long_years():
    assert parse_week("2020-W53").start == date(2020, 12, 28)
    assert parse_week("2021-W53") is None


def test_month_and_day():
    assert parse_month("2024-02").end == date(2024, 2, 29)
    assert parse_day("2024-12-17").label == "Tuesday, December 17, 2024"
    assert parse_day("2024-12-17 ") is None


def test_containing_moves_between_kinds():
    day = parse_day("2024-12-17")
    assert parse_week("2024-W01").containing(day.start).slug == "2024-W51"
    assert parse_month("2024-01").containing(day.start).slug == "2024-12"
