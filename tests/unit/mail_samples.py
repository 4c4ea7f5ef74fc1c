"""Hand-written Paciolan-style emails for the mail tests (parser, sync, benchmarks).

Independent of the sandbox sender on purpose: the parser is tested against our own corpus.
"""

from __future__ import annotations

import base64
import hashlib
import quopri
from email.header import Header

PORTAL_FROM = "Paciolan Tickets <noreply@paciolan.com>"
ACCOUNT = "transfers@marketplace.example"


def _headers(
    subject: str, sender: str, to: str, message_id: str | None, date: str, extra: str = ""
) -> str:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {date}"]
    if message_id:
        lines.append(f"Message-ID: <{message_id}>")
    lines.append("MIME-Version: 1.0")
    return "\r\n".join(lines) + ("\r\n" + extra if extra else "") + "\r\n"


def notice_text(
    seller: str = "Jane Doe",
    seller_email: str = "jane.doe@example.com",
    event: str = "Ducks vs. Beavers",
    starts: str = "Saturday, November 28, 2026 at 7:30 PM PT",
    venue: str = "Autzen Stadium",
    section: str = "12",
    row: str = "5",
    seats: str = "Seats 5-8",
    quantity: int = 4,
    ref: str = "TR-88231",
) -> str:
    """The plain-text body of a typical single-event notice."""
    return (
        f"{seller} ({seller_email}) has sent you {quantity} tickets.\n\n"
        f"Event: {event}\nDate: {starts}\nVenue: {venue}\n"
        f"Section {section}, Row {row}, {seats}\n\n"
        f"Transfer ID: {ref}\n"
        f"Accept your tickets: https://goducks.evenue.net/transfer/accept?id={ref}&t=abc\n"
        "You must accept by December 1, 2026 11:59 PM PT.\n"
    )


def notice(
    message_id: str | None = "abc123@evenue.net",
    to: str = ACCOUNT,
    date: str = "Mon, 23 Nov 2026 09:00:00 +0000",
    sender: str = PORTAL_FROM,
    **fields: str | int,
) -> bytes:
    """A plain-text UTF-8 single-part notice."""
    quantity = int(fields.get("quantity", 4))
    subject = f"{fields.get('seller', 'Jane Doe')} has sent you {quantity} tickets"
    body = notice_text(**fields)  # type: ignore[arg-type]
    head = _headers(Header(str(subject), "utf-8").encode(), sender, to, message_id, date,
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: 8bit")
    return head.encode() + b"\r\n" + body.replace("\n", "\r\n").encode("utf-8")


def html_only_qp() -> bytes:
    """HTML-only, quoted-printable, Latin-1, an RFC 2047 subject, seats as a list."""
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Jos\xe9 N\xfa\xf1ez has sent you 3 tickets.</p>"
        "<table><tr><td>Event:</td><td>Cougars at Sun Devils</td></tr>"
        "<tr><td>Date:</td><td>Nov 29, 2026 1:00 PM MT</td></tr>"
        "<tr><td>Venue:</td><td>Mountain America Stadium</td></tr></table>"
        "<p>Section 104&nbsp;&nbsp;Row 22&nbsp;&nbsp;Seat 1, 2, 3</p>"
        '<p><a href="https://asu.evenue.net/cgi-bin/ncommerce3/TransferAccept?ref=A77Q">'
        "Accept Tickets</a></p>"
        "<p>Please accept within 72 hours.</p></body></html>"
    )
    body = quopri.encodestring(html.encode("latin-1")).decode("ascii")
    subject = Header("Jos\xe9 N\xfa\xf1ez has sent you 3 tickets", "iso-8859-1").encode()
    head = _headers(subject, PORTAL_FROM, ACCOUNT, "qp1@evenue.net",
                    "Tue, 24 Nov 2026 10:00:00 +0000",
                    "Content-Type: text/html; charset=iso-8859-1\r\n"
                    "Content-Transfer-Encoding: quoted-printable")
    return (head + "\r\n" + body).encode("ascii")


def multipart_base64() -> bytes:
    """multipart/alternative, both parts base64 UTF-8, non-ASCII names, "through" range."""
    text = notice_text(
        seller="Zoë Ångström", seller_email="zoe@example.se", event="Bruins vs. Trojans",
        starts="11/27/2026 5:00 PM PT", venue="Rose Bowl", section="8", row="31",
        seats="Seats: 12 through 14", quantity=3, ref="TR-55120",
    )
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body>"
    parts = []
    for ctype, content in (("text/plain", text), ("text/html", html)):
        encoded = base64.encodebytes(content.encode("utf-8")).decode("ascii")
        parts.append(
            f"--BOUND\r\nContent-Type: {ctype}; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
        )
    head = _headers("=?utf-8?b?" + base64.b64encode("Zoë sent you tickets".encode()).decode()
                    + "?=", PORTAL_FROM, ACCOUNT, "b64@evenue.net",
                    "Wed, 25 Nov 2026 08:00:00 +0000",
                    'Content-Type: multipart/alternative; boundary="BOUND"')
    return (head + "\r\n" + "\r\n".join(parts) + "\r\n--BOUND--\r\n").encode("ascii")


def forwarded_inline() -> bytes:
    """A seller forwards the notice inline (Gmail style, quoted)."""
    inner = notice_text(seller="Sam Lee", seller_email="sam@example.com", seats="Seats 9 & 10",
                        quantity=2, ref="TR-90001")
    quoted = "\n".join("> " + line for line in inner.splitlines())
    body = (
        "Hi, forwarding the tickets as promised.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Paciolan Tickets <noreply@paciolan.com>\n"
        "Date: Mon, Nov 23, 2026 at 9:00 AM\n"
        "Subject: Sam Lee has sent you 2 tickets\n"
        f"To: <sam@example.com>\n\n{quoted}\n"
    )
    head = _headers("Fwd: Sam Lee has sent you 2 tickets", "Sam Lee <sam@example.com>", ACCOUNT,
                    "fwd1@mail.example.com", "Mon, 23 Nov 2026 09:30:00 +0000",
                    "Content-Type: text/plain; charset=utf-8")
    return (head + "\r\n" + body).encode("utf-8")


def forwarded_attachment() -> bytes:
    """A seller forwards the notice as an attached message/rfc822."""
    inner = notice(message_id="inner@evenue.net", seller="Ana Ruiz", seats="Seats 1-2",
                   quantity=2, ref="TR-31337")
    head = _headers("Fwd: tickets", "Ana Ruiz <ana@example.org>", ACCOUNT, "fwd2@example.org",
                    "Mon, 23 Nov 2026 11:00:00 +0000",
                    'Content-Type: multipart/mixed; boundary="OUTER"')
    body = (
        b"--OUTER\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n"
        b"--OUTER\r\nContent-Type: message/rfc822\r\n\r\n"
    ) + inner + b"\r\n--OUTER--\r\n"
    return head.encode() + b"\r\n" + body


def multi_event() -> bytes:
    """Two events in one notice, each with its own seats."""
    body = (
        "Pat Kim (pat@example.com) has sent you 4 tickets.\n\n"
        "Event: Hoops Opener\nDate: December 2, 2026 at 7:00 PM ET\nVenue: Arena\n"
        "Section 101, Row C, Seats 1-2\n\n"
        "Event: Hoops Rivalry Game\nDate: December 9, 2026 at 8:00 PM ET\nVenue: Arena\n"
        "Section 102, Row D, Seats 3 and 4\n\n"
        "Accept: https://uk.evenue.net/transfer/accept?id=TR-4242\nTransfer ID: TR-4242\n"
    )
    head = _headers("Pat Kim has sent you 4 tickets", PORTAL_FROM, ACCOUNT, "multi@evenue.net",
                    "Mon, 23 Nov 2026 12:00:00 +0000", "Content-Type: text/plain")
    return (head + "\r\n" + body).encode("ascii")


def bad_charset() -> bytes:
    """Declares a charset that does not exist; the bytes are really Latin-1."""
    body = notice_text(seller="Fran\xe7ois Dupr\xe9", seller_email="fd@example.fr")
    head = _headers("Fran\xe7ois has sent you 4 tickets".encode("latin-1").decode("latin-1"),
                    PORTAL_FROM, ACCOUNT, "badcs@evenue.net", "Mon, 23 Nov 2026 13:00:00 +0000",
                    'Content-Type: text/plain; charset="x-no-such-charset"')
    return head.encode("latin-1") + b"\r\n" + body.encode("latin-1")


def verification_code(code: str = "482913", to: str = ACCOUNT,
                      message_id: str = "code1@paciolan.com",
                      date: str = "Mon, 23 Nov 2026 09:05:00 +0000") -> bytes:
    """A sign-in verification code email."""
    body = f"Your verification code is {code}. It expires in 10 minutes.\n"
    head = _headers("Your verification code", PORTAL_FROM, to, message_id, date,
                    "Content-Type: text/plain")
    return (head + "\r\n" + body).encode("ascii")


def drifted(message_id: str = "drift1@evenue.net") -> bytes:
    """The portal changed its template: a notice subject whose body the patterns cannot read."""
    body = (
        "Great news! Tickets are waiting in your account.\n"
        "Game: to be announced\nSpot: lower bowl\nOpen the app to claim them.\n"
    )
    head = _headers("You have received tickets", PORTAL_FROM, ACCOUNT, message_id,
                    "Mon, 23 Nov 2026 14:00:00 +0000", "Content-Type: text/plain")
    return (head + "\r\n" + body).encode("ascii")


def lookalike() -> bytes:
    """A phishing look-alike: notice text, but not from a portal domain."""
    return notice(message_id="phish@paciolan-support.com",
                  sender="Paciolan <support@paciolan-support.com>")


def unrelated(message_id: str = "news@example.com") -> bytes:
    """An ordinary email from elsewhere."""
    head = _headers("Lunch?", "Bob <bob@example.com>", ACCOUNT, message_id,
                    "Mon, 23 Nov 2026 15:00:00 +0000", "Content-Type: text/plain")
    return (head + "\r\nNoon at the usual place?\r\n").encode("ascii")


def build(
    subject: str,
    text: str | None = None,
    html: str | None = None,
    sender: str = PORTAL_FROM,
    charset: str = "utf-8",
    encoding: str = "8bit",
    message_id: str | None = None,
    date: str = "Mon, 23 Nov 2026 16:00:00 +0000",
    to: str = ACCOUNT,
) -> bytes:
    """Any message: plain, HTML-only or both (multipart/alternative), in any charset and
    transfer encoding (8bit, quoted-printable, base64)."""

    def part(ctype: str, content: str) -> bytes:
        data = content.replace("\n", "\r\n").encode(charset)
        if encoding == "base64":
            payload = base64.encodebytes(data)
        elif encoding == "quoted-printable":
            payload = quopri.encodestring(content.encode(charset)).replace(b"\n", b"\r\n")
        else:
            payload = data
        head = (f"Content-Type: {ctype}; charset={charset}\r\n"
                f"Content-Transfer-Encoding: {encoding}\r\n\r\n")
        return head.encode("ascii") + payload

    encoded_subject = Header(subject, charset if charset != "us-ascii" else "utf-8").encode()
    digest = hashlib.sha1(repr((subject, text, html)).encode()).hexdigest()
    mid = message_id or digest + "@mail.example"
    top = _headers(encoded_subject, sender, to, mid, date, "").encode("utf-8")
    parts = [part(c, body) for c, body in (("text/plain", text), ("text/html", html)) if body]
    if len(parts) == 1:
        return top + parts[0]
    boundary = b"=_alt_boundary"
    out = top + b'Content-Type: multipart/alternative; boundary="=_alt_boundary"\r\n\r\n'
    for p in parts:
        out += b"--" + boundary + b"\r\n" + p + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"
