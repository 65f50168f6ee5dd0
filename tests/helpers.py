"""What tests of every app need: London times, a page's text as a reader sees it, a column of an admin
changelist, the text of a PDF, the emails one address received, and the number of queries a page costs."""

import re
import subprocess
from datetime import datetime
from html import unescape

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.office_hours import TZ


def ldn(*args):
    """An aware Europe/London datetime: ldn(2026, 11, 27, 16, 0) is Friday 27 November 2026, 16:00."""
    return datetime(*args, tzinfo=TZ)


def _input_text(match):
    """What a reader sees of an <input>: the words of a button, the text in a box; nothing of a hidden field,
    a password, a tick box or a radio button."""
    tag = match.group(0)
    kind = re.search(r'\btype="([^"]*)"', tag)
    value = re.search(r'\bvalue="([^"]*)"', tag)
    if value is None or (kind and kind.group(1) in ("hidden", "password", "checkbox", "radio")):
        return " "
    return f" {value.group(1)} "


def visible_text(response):
    """A page's text as a reader sees it: no tags, scripts or styles, entities decoded, whitespace collapsed.
    A button reads as its words and a filled-in box as its text; inline markup (a link, bold words) leaves
    no gap in a sentence."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<input\b[^>]*>", _input_text, html)
    html = re.sub(r"</?(strong|em|b|i|span|a)\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def shows(response, text):
    """Whether the page shows `text` to the reader, whatever markup sits around its words."""
    return " ".join(text.split()) in visible_text(response)


def changelist_column(response, column, prefix):
    """{reference: the text of its `column` cell} for each row of an admin changelist whose reference starts
    with `prefix` ("CMP", "FLT"); {} when the admin shows no table, as it does when nothing matches."""
    html = response.content.decode()
    if 'id="result_list"' not in html:
        return {}
    table = html[html.index('id="result_list"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        reference = re.search(rf"{prefix}-\d{{6}}", row)
        cell = re.search(rf'<td class="field-{column}">(.*?)</td>', row, flags=re.S)
        if reference and cell:
            rows[reference.group(0)] = re.sub(r"<[^>]+>", "", cell.group(1)).strip()
    return rows


def pdf_text(pdf):
    """The text of a PDF as a reader sees it, whitespace collapsed (lines wrap where the layout wants)."""
    out = subprocess.run(["pdftotext", "-", "-"], input=bytes(pdf), capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


def emails_to(address):
    """The emails sent so far (Django's test outbox) with `address` among their recipients."""
    return [m for m in mail.outbox if any(address in to for to in m.to)]


def queries_for_get(client, url):
    """How many SQL queries one GET of `url` costs (the page must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)
