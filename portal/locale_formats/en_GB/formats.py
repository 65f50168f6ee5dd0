"""UK formats on the 24-hour clock, for everything Django formats by itself (the staff admin's dates and
times, form values): "2 Dec 2026, 18:12", never "Dec. 2, 2026, 6:12 p.m.". The customer pages and
messages use portal/formats.py, on the same clock. Formats not set here are Django's own en_GB ones."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
