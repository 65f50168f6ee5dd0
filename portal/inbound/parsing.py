"""Reading an email as it arrived: whatever the bytes, a result and never an exception.

Mail from the outside world is hostile or merely odd: broken MIME, charsets Python does not know, 8-bit
bytes in headers, HTML with no text part, NUL bytes (PostgreSQL refuses them in text), attachments of any
size. `parse(raw)` reads what it can, says what it could not (`problems`), and decides whether a robot
sent it (`robot_reason`). It never renders HTML: staff read a text version made here.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass
class Parsed:
    message_id: str = ""
    in_reply_to: list = field(default_factory=list)
    references: list = field(default_factory=list)
    from_address: str = ""
    from_name: str = ""
    to: str = ""
    subject: str = ""
    sent_at: object = None
    text: str = ""
    text_from_html: bool = False
    attachments: list = field(default_factory=list)
    robot_reason: str = ""
    problems: list = field(default_factory=list)
    unreadable: str = ""  # set when nothing usable could be read: the email is kept raw and flagged


def dedupe_key(raw, message_id):
    """What makes two fetched messages one record: the Message-ID and the body's bytes (the part after the
    headers). The same message fetched twice, or delivered twice with other Received lines, has both the
    same; a different email that reuses a Message-ID (a broken mail program) is kept as its own. An email
    without a Message-ID is known by all its bytes."""
    if not message_id:
        return hashlib.sha256(b"raw\0" + raw).hexdigest()
    body = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)
    return hashlib.sha256(b"mid\0" + message_id.encode() + b"\0" + (body[1] if len(body) > 1 else b"")).hexdigest()


def clean(text, limit=None):
    """Text fit for the database and for staff to read: undecodable bytes (kept by the parser as
    surrogates) read as UTF-8, else Windows-1252; no NUL or other control characters but line breaks."""
    if not isinstance(text, str):
        text = str(text or "")
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        data = text.encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text[:limit] if limit else text


def _header(message, name):
    """A header's text, decoded (RFC 2047 words too) however broken it is; '' when missing."""
    try:
        value = message.get(name)
    except Exception:  # the modern policy raises on some malformed headers; read it the old way
        value = None
        for key, raw_value in message.raw_items():
            if key.lower() == name.lower():
                try:
                    value = str(make_header(decode_header(raw_value)))
                except Exception:
                    value = raw_value
                break
    if value is None:
        return ""
    return " ".join(clean(value).split())


def _decoded(part):
    """The text of a text part in its declared charset; an unknown or wrong charset reads as UTF-8, then
    Windows-1252 (what mail programs mean by "iso-8859-1" more often than not), never failing."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    for encoding in (charset, "utf-8"):
        try:
            return clean(payload.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    # Mostly UTF-8 with a stray byte reads as UTF-8 (the stray byte replaced); anything else as Windows-1252.
    if _UTF8_SEQUENCE.search(payload):
        return clean(payload.decode("utf-8", "replace"))
    return clean(payload.decode("cp1252", "replace"))


class _TextOfHtml(HTMLParser):
    """The words of an HTML email, one block a line; scripts, styles and the head are dropped. Nothing of
    the HTML survives as markup, so showing the result (escaped, as the admin does) is safe."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr"}
    SKIP = {"script", "style", "head", "title", "noscript", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html):
    reader = _TextOfHtml()
    try:
        reader.feed(html)
        reader.close()
    except Exception:  # HTMLParser is lenient; anything it still cannot take leaves what it read so far
        pass
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _is_attachment(part):
    if part.is_multipart():
        return False
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment" or part.get_filename():
        return True
    return part.get_content_maintype() not in ("text",)


def _robot_reason(message, from_address, content_type):
    """Why an email was sent by a machine (an out-of-office note, a bounce, a mailing list), or ''.
    Such mail is kept and shown to staff but never answered, so two robots cannot loop, and never put on a
    customer's timeline as their words."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe"):
        if _header(message, name):
            return f"mailing list ({name})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if _header(message, name):
            return f"auto-reply ({name})"
    if _header(message, "Return-Path").replace(" ", "") == "<>":
        return "bounce (Return-Path <>)"
    if content_type == "multipart/report":
        return "delivery report (bounce)"
    local = from_address.split("@", 1)[0].lower()
    if local in ("mailer-daemon", "postmaster"):
        return f"sent by {local}"
    return ""


def parse(raw):
    """Everything the portal needs of an email, from its original bytes."""
    result = Parsed()
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient: this is truly unreadable
        result.unreadable = f"The email could not be read at all ({type(exc).__name__})."
        return result
    if not any(True for _ in message.raw_items()):
        result.unreadable = "The email has no headers: there is no sender, subject or date to read."
        return result

    result.message_id = next(iter(_MESSAGE_ID.findall(_header(message, "Message-ID"))), "")[:998]
    result.in_reply_to = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    result.references = _MESSAGE_ID.findall(_header(message, "References"))
    name, address = parseaddr(_header(message, "From"))
    result.from_name, result.from_address = clean(name, 200), clean(address, 320).strip().lower()
    if "@" not in result.from_address:
        result.from_address = ""
    result.to = ", ".join(a for _, a in getaddresses([_header(message, "To")]) if a)[:2000]
    result.subject = _header(message, "Subject")[:2000]
    try:
        sent_at = parsedate_to_datetime(_header(message, "Date"))
        result.sent_at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        result.sent_at = None

    try:
        content_type = message.get_content_type()
    except Exception:
        content_type = "text/plain"
    result.robot_reason = _robot_reason(message, result.from_address, content_type)
    if not result.from_address:
        result.unreadable = "The email has no sender address we can read, so it cannot be answered or linked."

    plain, html = [], []
    try:
        for part in message.walk():
            if part.is_multipart():
                continue
            if _is_attachment(part):
                payload = part.get_payload(decode=True) or b""
                result.attachments.append(
                    Attachment(
                        filename=clean(part.get_filename() or "", 255),
                        content_type=clean(part.get_content_type(), 255),
                        size=len(payload),
                    )
                )
            elif part.get_content_type() == "text/html":
                html.append(_decoded(part))
            else:
                plain.append(_decoded(part))
    except Exception as exc:  # a MIME structure too broken to walk: keep what was read, say so
        result.problems.append(f"Part of the email could not be read ({type(exc).__name__}).")
    defects = [type(d).__name__ for d in getattr(message, "defects", [])]
    if defects:
        result.problems.append("The email is not well formed (" + ", ".join(sorted(set(defects))) + ").")
    if any(p.strip() for p in plain):
        result.text = "\n\n".join(p.strip() for p in plain if p.strip())
    elif html:
        result.text = "\n\n".join(html_to_text(h) for h in html)
        result.text_from_html = True
    return result


def attachment_payload(raw, position):
    """(filename, bytes) of the email's attachment at `position` (from 1, in the order parse() lists them),
    or None."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    found = 0
    for part in message.walk():
        if not part.is_multipart() and _is_attachment(part):
            found += 1
            if found == position:
                return clean(part.get_filename() or "", 255), part.get_payload(decode=True) or b""
    return None
