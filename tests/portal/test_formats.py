"""How the portal writes dates, times, money and lengths of time (portal/formats.py), in Python and in
templates ({% load formats %}): London time, the 24-hour clock, dates in words, "inc. VAT"."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template

from portal import formats
from tests.helpers import ldn

WINTER = ldn(2027, 1, 12, 14, 5)  # a Tuesday, GMT
SUMMER_UTC = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London (BST)


def test_a_date_reads_in_words_without_a_leading_zero():
    assert formats.day_text(date(2027, 1, 2)) == "Saturday 2 January 2027"
    assert formats.date_text(date(2027, 1, 2)) == "2 January 2027"


def test_times_are_london_times_on_the_24_hour_clock():
    assert formats.time_text(WINTER) == "14:05"
    assert formats.when_text(WINTER) == "Tuesday 12 January at 14:05"
    assert formats.datetime_text(WINTER) == "Tuesday 12 January 2027, 14:05"
    assert formats.short_datetime(WINTER) == "Tue 12 Jan 2027, 14:05"


def test_a_time_late_on_a_summer_evening_in_utc_is_the_next_day_in_london():
    assert formats.day_text(SUMMER_UTC) == "Wednesday 1 July 2026"
    assert formats.date_text(SUMMER_UTC) == "1 July 2026"
    assert formats.time_text(SUMMER_UTC) == "00:30"
    assert formats.datetime_text(SUMMER_UTC) == "Wednesday 1 July 2026, 00:30"


def test_a_naive_time_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="timezone-aware"):
        formats.time_text(datetime(2027, 1, 12, 14, 5))


@pytest.mark.parametrize(
    "amount, text",
    [
        (Decimal("1234.5"), "£1,234.50"),
        (Decimal("0"), "£0.00"),
        (Decimal("0.005"), "£0.01"),  # half up to the penny
        (Decimal("-12"), "-£12.00"),  # a credit
        ("25", "£25.00"),
    ],
)
def test_money_is_pounds_to_the_penny(amount, text):
    assert formats.gbp(amount) == text


def test_a_price_says_vat_is_added_and_what_it_comes_to_inc_vat(settings):
    assert formats.INC_VAT == "inc. VAT"
    assert formats.price_text(Decimal("25"), "a month") == "£25.00 a month + VAT (£30.00 inc. VAT)"
    assert formats.price_text(Decimal("40")) == "£40.00 + VAT (£48.00 inc. VAT)"
    assert formats.price_text(Decimal("10"), rate=Decimal("0.05")) == "£10.00 + VAT (£10.50 inc. VAT)"
    assert formats.price_text(None, "a month") == "Price on request"


@pytest.mark.parametrize(
    "length, words",
    [
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "1 hour and 30 minutes"),
        (timedelta(days=1, hours=2, minutes=5), "1 day, 2 hours and 5 minutes"),
        (timedelta(days=2), "2 days"),
        (timedelta(hours=0.25) - timedelta(microseconds=1), "15 minutes"),  # a setting in hours, a microsecond off
        (timedelta(seconds=20), "less than a minute"),
    ],
)
def test_a_length_of_time_reads_as_a_person_says_it(length, words):
    assert formats.duration_in_words(length) == words


def test_what_is_not_a_length_of_time_is_left_as_it_is():
    assert formats.duration_in_words("a while") == "a while"


def test_plural():
    assert (formats.plural(1, "working day"), formats.plural(3, "working day")) == ("1 working day", "3 working days")


def render(source, **context):
    return Template("{% load formats %}" + source).render(Context(context))


def test_templates_write_the_same_through_load_formats():
    assert render("{{ at|datetime_text }}", at=WINTER) == "Tuesday 12 January 2027, 14:05"
    assert render("{{ at|short_datetime }}", at=WINTER) == "Tue 12 Jan 2027, 14:05"
    assert render("{{ at|when_text }}", at=WINTER) == "Tuesday 12 January at 14:05"
    assert render("{{ at|time_text }}", at=WINTER) == "14:05"
    assert render("{{ day|day_text }} / {{ day|date_text }}", day=date(2027, 1, 2)) == (
        "Saturday 2 January 2027 / 2 January 2027"
    )
    assert render("{{ amount|gbp }}", amount=Decimal("1234.5")) == "£1,234.50"
    assert render('{{ amount|price:"a month" }}', amount=Decimal("25")) == "£25.00 a month + VAT (£30.00 inc. VAT)"
    assert render("{{ pause|duration_in_words }}", pause=timedelta(minutes=90)) == "1 hour and 30 minutes"


def test_an_empty_value_shows_as_nothing_so_a_default_can_follow():
    assert render("[{{ day|day_text }}]", day=None) == "[]"
    assert render('{{ day|day_text|default:"to be agreed" }}', day="") == "to be agreed"


def test_a_status_badge_says_the_status_in_words_in_the_colour_of_its_kind():
    from portal.templatetags.formats import status_badge

    assert status_badge("resolved", "Resolved") == '<span class="status status-active">Resolved</span>'
    assert status_badge("deadlocked", "Deadlock letter sent") == (
        '<span class="status status-waiting">Deadlock letter sent</span>'
    )
    assert status_badge("ceased", "Withdrawn") == '<span class="status status-ended">Withdrawn</span>'
    assert status_badge("investigating", "Investigating") == '<span class="status status-progress">Investigating</span>'
    assert status_badge("placed", "<b>") == '<span class="status status-progress">&lt;b&gt;</span>'
