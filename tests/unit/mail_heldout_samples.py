"""A held-out corpus of transfer-notice emails, written blind.

These messages were written from the public record of Paciolan transfer emails and the
user-facing description of what a notice yields, before reading the parser or our own samples.
They imitate how other schools' ticket offices write: their own layouts, wordings, MIME shapes
and charsets. Each sample carries the fields a person reading it would take from it.

Expected values: ``None`` = the notice does not state it (the parser must not invent it);
dates are ISO strings, with an offset when the notice names a zone (compared as instants),
without one when it does not (compared as wall-clock time); ``accept_url`` may be a set of
equally right links (a click-tracking wrapper and the address it decodes to).
"""

from __future__ import annotations

import base64
import hashlib
import quopri
from collections.abc import Mapping
from dataclasses import dataclass

_MARKET = "transfers@marketplace.example"


@dataclass(frozen=True)
class HeldoutSample:
    """One raw message and the fields a reader would take from it."""

    name: str
    raw: bytes
    expected: Mapping[str, object]
    taught_domains: tuple[str, ...] = ()  # sender domains staff taught (read as the portal's)


def _leaf(ctype: str, text: str, charset: str = "utf-8", cte: str = "7bit") -> bytes:
    data = text.encode(charset)
    if cte == "quoted-printable":
        data = quopri.encodestring(data)
    elif cte == "base64":
        data = base64.encodebytes(data)
    head = f"Content-Type: {ctype}; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n"
    return head.encode("ascii") + data


def _multi(subtype: str, boundary: str, *parts: bytes) -> bytes:
    out = f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\n\n".encode("ascii")
    out += b"This is a multi-part message in MIME format.\n"
    for part in parts:
        out += f"\n--{boundary}\n".encode("ascii") + part
    return out + f"\n--{boundary}--\n".encode("ascii")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _encoded_word(text: str) -> str:
    return f"=?UTF-8?B?{base64.b64encode(text.encode()).decode('ascii')}?="


def _message(sender: str, subject: str, date: str, body: bytes, to: str = _MARKET) -> bytes:
    head = (
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
        f"Message-ID: <{_digest(sender + subject + date)}@mailer.example>\nMIME-Version: 1.0\n"
    )
    return head.encode("ascii") + body


def _notice(**fields: object) -> dict[str, object]:
    """Expected fields of an offer: every field named, absent ones ``None``."""
    base: dict[str, object] = {
        "kind": "transfer_notice",
        "transfer_ref": None,
        "event_name": None,
        "event_starts_at": None,
        "venue": None,
        "section": None,
        "row": None,
        "seats": (),
        "sender_name": None,
        "accept_url": None,
        "expires_at": None,
    }
    base.update(fields)
    return base


def _followup(kind: str, **fields: object) -> dict[str, object]:
    """Expected fields of a reminder, cancellation or confirmation (only those it states)."""
    return {"kind": kind, **fields}


SAMPLES: list[HeldoutSample] = []


def _add(
    name: str, raw: bytes, expected: Mapping[str, object], taught: tuple[str, ...] = ()
) -> None:
    SAMPLES.append(HeldoutSample(name, raw, expected, taught))


_BAYOU_ACCEPT = (
    "https://bayoustate.evenue.net/cgi-bin/ncommerce3/SEAcceptTransfer"
    "?transferId=40051872&amp;token=q8Zr2"
)

# 1. HTML only, nested layout tables, quoted-printable.
_add(
    "html_nested_tables_qp",
    _message(
        "Bayou State Athletics Ticket Office <tickets@bayoustate.evenue.net>",
        "Tickets have been transferred to you",
        "Mon, 23 Nov 2026 09:14:00 -0600",
        _leaf("text/html", """<html><body style="margin:0">
<table width="100%" cellpadding="0" cellspacing="0" role="presentation"><tr><td align="center">
 <table width="600" class="container"><tr><td style="padding:24px">
  <img src="https://bayoustate.evenue.net/img/logo.png" alt="Bayou State Pelicans">
  <h1 style="font-size:22px">You&#8217;ve got tickets!</h1>
  <p>Dana Whitfield has transferred 2 tickets to you.</p>
  <table class="details" cellpadding="6">
   <tr><td class="lbl"><b>Event</b></td><td>Pelicans Football vs. Gulf Coast</td></tr>
   <tr><td class="lbl"><b>Date/Time</b></td><td>Sat, Nov 28, 2026 7:30 PM CST</td></tr>
   <tr><td class="lbl"><b>Venue</b></td><td>Marsh Memorial Stadium</td></tr>
   <tr><td class="lbl"><b>Section</b></td><td>112</td></tr>
   <tr><td class="lbl"><b>Row</b></td><td>18</td></tr>
   <tr><td class="lbl"><b>Seats</b></td><td>7-8</td></tr>
   <tr><td class="lbl"><b>Transfer ID</b></td><td>40051872</td></tr>
  </table>
  <table><tr><td style="background:#6a1b9a;border-radius:4px;padding:12px 20px">
   <a href="$BAYOU_ACCEPT"
      style="color:#fff">Accept Tickets</a>
  </td></tr></table>
  <p style="font-size:12px">This transfer must be accepted by Wed, Nov 25, 2026 11:59 PM CST.
  If it is not accepted, the tickets return to the sender.</p>
 </td></tr></table>
</td></tr></table></body></html>
""".replace("$BAYOU_ACCEPT", _BAYOU_ACCEPT), cte="quoted-printable"),
    ),
    _notice(
        transfer_ref="40051872",
        event_name="Pelicans Football vs. Gulf Coast",
        event_starts_at="2026-11-28T19:30:00-06:00",
        venue="Marsh Memorial Stadium",
        section="112",
        row="18",
        seats=("7", "8"),
        sender_name="Dana Whitfield",
        accept_url="https://bayoustate.evenue.net/cgi-bin/ncommerce3/SEAcceptTransfer"
        "?transferId=40051872&token=q8Zr2",
        expires_at="2026-11-25T23:59:00-06:00",
    ),
)

# 2. Text only, a title line without labels, "Sec", a seat range on one line.
_add(
    "text_only_title_line_sec_range",
    _message(
        "High Plains University Tickets <noreply@highplains.evenue.net>",
        "Marcus Bell sent you tickets",
        "Tue, 24 Nov 2026 08:02:45 -0700",
        _leaf("text/plain", """Hi there,

Marcus Bell sent you tickets!

High Plains Pronghorns vs. Red Rock State
Sat, Nov 28, 2026 1:00 PM MST
Venue: Prairie Wind Field

Sec 22  Row 9  Seats 7-8

Accept your tickets:
https://highplains.evenue.net/transfer/accept/7Q4K2M9

Tickets must be accepted by Thu, Nov 26, 2026 5:00 PM MST or they go back to the sender.

Order #: HP-558201

Go Pronghorns!
High Plains University Athletics Ticket Office
"""),
    ),
    _notice(
        transfer_ref="HP-558201",
        event_name="High Plains Pronghorns vs. Red Rock State",
        event_starts_at="2026-11-28T13:00:00-07:00",
        venue="Prairie Wind Field",
        section="22",
        row="9",
        seats=("7", "8"),
        sender_name="Marcus Bell",
        accept_url="https://highplains.evenue.net/transfer/accept/7Q4K2M9",
        expires_at="2026-11-26T17:00:00-07:00",
    ),
)

# 3. multipart/alternative: the text part only points to the web view; fields only in HTML.
_add(
    "alternative_fields_only_in_html_base64",
    _message(
        "Lakeshore College Athletics <tickets@lakeshore.evenue.net>",
        "Your Ticket Transfer from Priya Natarajan",
        "Tue, 24 Nov 2026 15:02:11 -0600",
        _multi(
            "alternative",
            "==lk_alt_01",
            _leaf("text/plain", "Your email program cannot show this message.\n"
                  "View it online: https://view.lakeshore.edu/m/aa81c2\n"),
            _leaf("text/html", """<!DOCTYPE html><html><head><style>.k{font-weight:bold}</style>
</head><body><div class="wrap"><div class="card">
<p>Hello,</p>
<p>A ticket transfer is waiting for you.</p>
<div><span class="k">Game:</span> Gulls Men's Basketball vs. Northfield</div>
<div><span class="k">Game Date:</span> Wednesday, December 2, 2026 at 7:00 PM CT</div>
<div><span class="k">Location:</span> Harbor Point Arena</div>
<div><span class="k">Section:</span> 104</div>
<div><span class="k">Row:</span> C</div>
<div><span class="k">Seat(s):</span> 11, 12</div>
<div><span class="k">Sent by:</span> Priya Natarajan</div>
<div><span class="k">Confirmation #:</span> 8812-3340</div>
<p><a href="https://lakeshore.evenue.net/myaccount/transfers/claim?c=8812-3340&amp;h=f1e2"
>Claim Tickets</a></p>
<p><small>Offer valid until 11/30/2026 at 11:59 PM CT.</small></p>
</div></div></body></html>
""", cte="base64"),
        ),
    ),
    _notice(
        transfer_ref="8812-3340",
        event_name="Gulls Men's Basketball vs. Northfield",
        event_starts_at="2026-12-02T19:00:00-06:00",
        venue="Harbor Point Arena",
        section="104",
        row="C",
        seats=("11", "12"),
        sender_name="Priya Natarajan",
        accept_url="https://lakeshore.evenue.net/myaccount/transfers/claim?c=8812-3340&h=f1e2",
        expires_at="2026-11-30T23:59:00-06:00",
    ),
)

# 4. windows-1252 text, quoted-printable, curly quotes and a dash; "Seat(s): 7, 8, 9".
_add(
    "cp1252_text_qp_seat_list",
    _message(
        "Cumberland Tech Ticket Office <boxoffice@cumberlandtech.evenue.net>",
        "You have received a ticket transfer",
        "Fri, 20 Nov 2026 11:30:00 -0500",
        _leaf("text/plain", """\
You\u2019ve received tickets from Lena O\u2019Connor \u2014 see the details below.

Event: Foxes Football vs. Appalachian Ridge
When: Saturday, November 28, 2026 - 3:30 PM ET
Where: Tom O\u2019Neal Field
Section: 210
Row: 14
Seat(s): 7, 8, 9
Transfer #: 30077152

To accept, open this link:
https://cumberlandtech.evenue.net/myaccount/transfers/accept?id=30077152&k=Zr81

This offer expires on 11/27/2026 at 12:00 PM ET. After that the tickets go back to the sender.
\u201cGo Foxes!\u201d
""", charset="windows-1252", cte="quoted-printable"),
    ),
    _notice(
        transfer_ref="30077152",
        event_name="Foxes Football vs. Appalachian Ridge",
        event_starts_at="2026-11-28T15:30:00-05:00",
        venue="Tom O\u2019Neal Field",
        section="210",
        row="14",
        seats=("7", "8", "9"),
        sender_name="Lena O\u2019Connor",
        accept_url="https://cumberlandtech.evenue.net/myaccount/transfers/accept?id=30077152&k=Zr81",
        expires_at="2026-11-27T12:00:00-05:00",
    ),
)

# 5. iso-8859-1 HTML in base64, accents in venue and sender, "7 thru 10", "within 72 hours".
_add(
    "latin1_html_accents_thru_within_hours",
    _message(
        "Sierra Vista State Tickets <tickets@svsu.evenue.net>",
        "Ticket transfer: Condors Volleyball",
        "Sun, 22 Nov 2026 18:40:00 -0800",
        _leaf("text/html", """<html><body>
<p>Andr\u00e9s Mu\u00f1oz wants to transfer tickets to you.</p>
<table border="0">
<tr><th align="left">Event</th><td>Condors Women's Volleyball vs. Valle Grande</td></tr>
<tr><th align="left">Date</th><td>11/28/2026 19:30</td></tr>
<tr><th align="left">Venue</th><td>Estadio Ram\u00f3n Qui\u00f1ones</td></tr>
<tr><th align="left">SEC</th><td>A</td></tr>
<tr><th align="left">ROW</th><td>3</td></tr>
<tr><th align="left">SEATS</th><td>7 thru 10</td></tr>
<tr><th align="left">Transfer Code</th><td>SV-7741-QX</td></tr>
</table>
<p><a href="https://svsu.evenue.net/transfer/accept?code=SV-7741-QX">Accept this transfer</a></p>
<p>Please accept within 72 hours of receiving this email.</p>
</body></html>
""", charset="iso-8859-1", cte="base64"),
    ),
    _notice(
        transfer_ref="SV-7741-QX",
        event_name="Condors Women's Volleyball vs. Valle Grande",
        event_starts_at="2026-11-28T19:30",
        venue="Estadio Ram\u00f3n Qui\u00f1ones",
        section="A",
        row="3",
        seats=("7", "8", "9", "10"),
        sender_name="Andr\u00e9s Mu\u00f1oz",
        accept_url="https://svsu.evenue.net/transfer/accept?code=SV-7741-QX",
        expires_at="2026-11-25T18:40:00-08:00",
    ),
)

# 6. Upper-case labels aligned with spaces, "THRU", no time zone anywhere.
_add(
    "upper_case_labels_thru_no_zone",
    _message(
        "Delta Valley Tickets <tix@deltavalley.evenue.net>",
        "TICKET TRANSFER NOTIFICATION",
        "Mon, 30 Nov 2026 07:45:00 -0500",
        _leaf("text/plain", """TICKET TRANSFER NOTIFICATION

TRANSFERRED BY:  KEVIN TRAN
ORDER NUMBER:    00418822

EVENT:   OWLS MEN'S BASKETBALL VS. DELTA STATE
DATE:    12/05/2026 8:00 PM
VENUE:   THE PIT AT RIVER BEND
SEC:     305
ROW:     F
SEATS:   1 THRU 4

ACCEPT: https://deltavalley.evenue.net/cgi-bin/ncommerce3/EVExecMacro?linkID=dvowls&evm=myac&entry=xfer&t=00418822

THIS TRANSFER EXPIRES ON 12/03/2026 11:59 PM.
"""),
    ),
    _notice(
        transfer_ref="00418822",
        event_name="OWLS MEN'S BASKETBALL VS. DELTA STATE",
        event_starts_at="2026-12-05T20:00",
        venue="THE PIT AT RIVER BEND",
        section="305",
        row="F",
        seats=("1", "2", "3", "4"),
        sender_name="KEVIN TRAN",
        accept_url="https://deltavalley.evenue.net/cgi-bin/ncommerce3/EVExecMacro"
        "?linkID=dvowls&evm=myac&entry=xfer&t=00418822",
        expires_at="2026-12-03T23:59",
    ),
)

# 7. General admission, an ordinal date without a year, "valid until".
_add(
    "general_admission_ordinal_date",
    _message(
        "Riverton University Ticket Office <tickets@riverton.evenue.net>",
        "4 tickets are waiting for you",
        "Sat, 21 Nov 2026 12:00:00 -0600",
        _leaf("text/html", """<html><body>
<p>You have 4 tickets waiting from Jordan Alvarez.</p>
<p><b>Event:</b> Otters Hockey vs. Iron Range<br>
<b>Date:</b> November 28th at 7:30pm<br>
<b>Venue:</b> Riverton Ice Center<br>
<b>Section:</b> GA<br>
<b>Quantity:</b> 4<br>
<b>Transfer ID:</b> 5520193</p>
<p><a href="https://riverton.evenue.net/myaccount/transfers/5520193/accept">Accept Tickets</a></p>
<p>This offer is valid until November 26th at 11:59pm.</p>
</body></html>
""", cte="quoted-printable"),
    ),
    _notice(
        transfer_ref="5520193",
        event_name="Otters Hockey vs. Iron Range",
        event_starts_at="2026-11-28T19:30",
        venue="Riverton Ice Center",
        section="GA",
        row=None,
        seats=(),
        sender_name="Jordan Alvarez",
        accept_url="https://riverton.evenue.net/myaccount/transfers/5520193/accept",
        expires_at="2026-11-26T23:59",
    ),
)

_PRONGHORN_GAMES = (
    ("Pronghorns Men's Basketball vs. Badlands State", "12/05/2026 7:00 PM MT",
     "2026-12-05T19:00:00-07:00"),
    ("Pronghorns Men's Basketball vs. Coulee Tech", "12/09/2026 7:00 PM MT",
     "2026-12-09T19:00:00-07:00"),
    ("Pronghorns Men's Basketball vs. North Fork", "12/12/2026 2:00 PM MT",
     "2026-12-12T14:00:00-07:00"),
)

# 8. Several events in one notice: an HTML table with a header row.
_add(
    "html_table_several_events",
    _message(
        "High Plains University Tickets <noreply@highplains.evenue.net>",
        "Chris Delgado has transferred 6 tickets to you",
        "Wed, 25 Nov 2026 10:10:10 -0700",
        _leaf("text/html", """<html><body>
<p>Chris Delgado has transferred 6 tickets to you. Transfer ID 66120045.</p>
<table cellpadding="4" border="1">
<thead><tr><th>Event</th><th>Date</th><th>Location</th><th>Sec</th><th>Row</th><th>Seats</th></tr></thead>
<tbody>
""" + "".join(
            f"<tr><td>{name}</td><td>{when}</td><td>Summit Fieldhouse</td><td>B</td>"
            "<td>12</td><td>5-6</td></tr>\n"
            for name, when, _ in _PRONGHORN_GAMES
        ) + """</tbody></table>
<p><a href="https://highplains.evenue.net/transfer/accept/66120045?s=9x">Accept All Tickets</a></p>
<p>This transfer must be accepted by 12/04/2026 11:59 PM MT.</p>
</body></html>
"""),
    ),
    _followup(
        "transfer_notice",
        transfer_ref="66120045",
        sender_name="Chris Delgado",
        accept_url="https://highplains.evenue.net/transfer/accept/66120045?s=9x",
        expires_at="2026-12-04T23:59:00-07:00",
        events=tuple(
            {"event_name": name, "event_starts_at": iso, "venue": "Summit Fieldhouse",
             "section": "B", "row": "12", "seats": ("5", "6")}
            for name, _, iso in _PRONGHORN_GAMES
        ),
    ),
)

# 9. Several events in plain text, one block per game.
_add(
    "text_blocks_several_events",
    _message(
        "Canyon Creek Athletics <tickets@canyoncreek.evenue.net>",
        "Tickets transferred to you (2 games)",
        "Thu, 19 Nov 2026 16:20:00 -0600",
        _leaf("text/plain", """Rosa Jimenez has sent you tickets to 2 games.

Game 1
Event: Wildcats Football vs. Lone Pine
Date: Saturday, November 28, 2026 at 11:00 AM CT
Section 7, Row 30, Seats 15-16

Game 2
Event: Wildcats Football vs. Mesa Tech
Date: Saturday, December 5, 2026 at 2:30 PM CT
Section 7, Row 30, Seats 15-16

Accept: https://canyoncreek.evenue.net/myaccount/transfers/accept?ref=CC44120
Reference: CC44120
"""),
    ),
    _followup(
        "transfer_notice",
        transfer_ref="CC44120",
        sender_name="Rosa Jimenez",
        accept_url="https://canyoncreek.evenue.net/myaccount/transfers/accept?ref=CC44120",
        events=(
            {"event_name": "Wildcats Football vs. Lone Pine",
             "event_starts_at": "2026-11-28T11:00:00-06:00",
             "section": "7", "row": "30", "seats": ("15", "16")},
            {"event_name": "Wildcats Football vs. Mesa Tech",
             "event_starts_at": "2026-12-05T14:30:00-06:00",
             "section": "7", "row": "30", "seats": ("15", "16")},
        ),
    ),
)

_TRACKED = (
    "https://links.goshorebirds.com/ct?cid=881&url=https%3A%2F%2Fshorebirds.evenue.net"
    "%2Fmyaccount%2Ftransfers%2Faccept%3Ftid%3D71820044%26sig%3Db7Q"
)

# 10. The accept link behind a click-tracking redirect that carries its destination.
_add(
    "click_tracking_decodable",
    _message(
        "Coastal Shorebirds Tickets <tickets@shorebirds.evenue.net>",
        "Ticket Transfer Offer",
        "Mon, 23 Nov 2026 13:00:00 -0500",
        _leaf("text/html", f"""<html><body>
<p><a href="https://links.goshorebirds.com/ct?cid=880&amp;url=https%3A%2F%2Fshorebirds.evenue.net%2F"
>View in browser</a></p>
<p>Taylor Brooks has sent you tickets.</p>
<p><strong>Event:</strong> Shorebirds Football vs. Tidewater<br>
<strong>Date:</strong> Sat., Nov. 28, 2026, 4:00 p.m. ET<br>
<strong>Venue:</strong> Dune Point Stadium<br>
<strong>Sec</strong> 9 | <strong>Row</strong> 21 | <strong>Seats</strong> 3-4<br>
<strong>Transfer ID:</strong> 71820044</p>
<p><a href="{_TRACKED.replace('&', '&amp;')}">ACCEPT TRANSFER</a></p>
<p>Must be accepted by Thu., Nov. 26, 2026, 11:59 p.m. ET.</p>
<p><a href="https://links.goshorebirds.com/ct?cid=882&amp;url=https%3A%2F%2Fgoshorebirds.com%2Funsubscribe">Unsubscribe</a></p>
</body></html>
"""),
    ),
    _notice(
        transfer_ref="71820044",
        event_name="Shorebirds Football vs. Tidewater",
        event_starts_at="2026-11-28T16:00:00-05:00",
        venue="Dune Point Stadium",
        section="9",
        row="21",
        seats=("3", "4"),
        sender_name="Taylor Brooks",
        accept_url=frozenset({
            _TRACKED,
            "https://shorebirds.evenue.net/myaccount/transfers/accept?tid=71820044&sig=b7Q",
        }),
        expires_at="2026-11-26T23:59:00-05:00",
    ),
)

_OPAQUE = "https://u8821.ct.sendgrid.net/ls/click?upn=u001.Xk3p-2BqLm9vR7aD0wZt4"

# 11. Every link tracked and opaque: the accept link is the one its button names.
_add(
    "click_tracking_opaque",
    _message(
        "Mesa Verde University Tickets <tickets@mesaverde.evenue.net>",
        "Tickets from Ben Okafor",
        "Tue, 24 Nov 2026 09:30:00 -0700",
        _multi(
            "alternative",
            "b_mv_77",
            _leaf("text/plain", f"""Ben Okafor has sent you 2 tickets.

Event: Mesa Verde Mustangs vs. High Desert
Date: Fri, Dec 4, 2026 6:30 PM MT
Venue: Juniper Arena
Section: 118  Row: 12  Seats: 3-4
Transfer ID: 9031177

Accept Transfer ( {_OPAQUE}-2FqA7 )

Must be accepted by Wed, Dec 2, 2026 11:59 PM MT.

Unsubscribe ( {_OPAQUE}-2FzU9 )
"""),
            _leaf("text/html", f"""<html><body>
<p>Ben Okafor has sent you 2 tickets.</p>
<p>Event: Mesa Verde Mustangs vs. High Desert<br>Date: Fri, Dec 4, 2026 6:30 PM MT<br>
Venue: Juniper Arena<br>Section: 118&nbsp; Row: 12&nbsp; Seats: 3-4<br>Transfer ID: 9031177</p>
<p><a href="{_OPAQUE}-2FlG0"><img alt="Mesa Verde" src="https://img.example/mv.png"></a></p>
<p><a href="{_OPAQUE}-2FqA7">Accept Transfer</a></p>
<p>Must be accepted by Wed, Dec 2, 2026 11:59 PM MT.</p>
<p><a href="{_OPAQUE}-2FzU9">Unsubscribe</a></p>
</body></html>
""", cte="quoted-printable"),
        ),
    ),
    _notice(
        transfer_ref="9031177",
        event_name="Mesa Verde Mustangs vs. High Desert",
        event_starts_at="2026-12-04T18:30:00-07:00",
        venue="Juniper Arena",
        section="118",
        row="12",
        seats=("3", "4"),
        sender_name="Ben Okafor",
        accept_url=f"{_OPAQUE}-2FqA7",
        expires_at="2026-12-02T23:59:00-07:00",
    ),
)

_RIDGELINE_TEXT = """Alicia Grant transferred 2 tickets to you.

Event: Ridgeline Rams Football vs. Stone Valley
Date & Time: 2026-11-28 12:00 PM ET
Venue: Granite Bowl
Section: 30
Row: 41
Seats: 19, 20
Transfer ID: 12093388

Accept: https://ridgeline.evenue.net/myaccount/transfers/accept?tid=12093388&v=2

Must be accepted by Nov 25, 2026 10:00 AM ET.
"""

# 12. A Gmail forward: the original's headers as a block, then its text.
_add(
    "gmail_forward_text",
    _message(
        "Sam Ortiz <sam@marketplace.example>",
        "Fwd: Tickets transferred to you",
        "Mon, 23 Nov 2026 11:02:00 -0500",
        _leaf("text/plain", """FYI, for the Rams order.

---------- Forwarded message ---------
From: Ridgeline University Tickets <tickets@ridgeline.evenue.net>
Date: Mon, Nov 23, 2026 at 10:12 AM
Subject: Tickets transferred to you
To: <transfers@marketplace.example>


""" + _RIDGELINE_TEXT),
    ),
    _notice(
        transfer_ref="12093388",
        event_name="Ridgeline Rams Football vs. Stone Valley",
        event_starts_at="2026-11-28T12:00:00-05:00",
        venue="Granite Bowl",
        section="30",
        row="41",
        seats=("19", "20"),
        sender_name="Alicia Grant",
        accept_url="https://ridgeline.evenue.net/myaccount/transfers/accept?tid=12093388&v=2",
        expires_at="2026-11-25T10:00:00-05:00",
    ),
)

# 13. An Outlook forward in HTML: the From/Sent/To/Subject block after a rule.
_add(
    "outlook_forward_html",
    _message(
        "Ops Desk <ops@marketplace.example>",
        "FW: Ticket Transfer Offer",
        "Mon, 23 Nov 2026 14:20:00 -0600",
        _leaf("text/html", """<html><body><div>Please process.</div>
<hr style="display:inline-block;width:98%">
<div id="divRplyFwdMsg"><font size="2"><b>From:</b>
Ironwood State Ticket Office &lt;tickets@ironwood.evenue.net&gt;<br>
<b>Sent:</b> Monday, November 23, 2026 2:05 PM<br>
<b>To:</b> Transfers &lt;transfers@marketplace.example&gt;<br>
<b>Subject:</b> Ticket Transfer Offer</font></div>
<div>
<p>Nora Lindqvist has sent you tickets.</p>
<table><tr><td>Event:</td><td>Lumberjacks Hockey vs. Copper Falls</td></tr>
<tr><td>Date:</td><td>Fri, Dec 11, 2026 7:05 PM CST</td></tr>
<tr><td>Arena:</td><td>Ironwood Ice Arena</td></tr>
<tr><td>Section:</td><td>Upper 305</td></tr>
<tr><td>Row:</td><td>AA</td></tr>
<tr><td>Seats:</td><td>14-15</td></tr>
<tr><td>Transfer ID:</td><td>77004521</td></tr></table>
<p><a href="https://ironwood.evenue.net/myaccount/transfers/accept?id=77004521"
>Accept Tickets</a></p>
<p>This transfer expires on Dec 8, 2026 at 11:59 PM CST.</p>
</div></body></html>
""", cte="quoted-printable"),
    ),
    _notice(
        transfer_ref="77004521",
        event_name="Lumberjacks Hockey vs. Copper Falls",
        event_starts_at="2026-12-11T19:05:00-06:00",
        venue="Ironwood Ice Arena",
        section="Upper 305",
        row="AA",
        seats=("14", "15"),
        sender_name="Nora Lindqvist",
        accept_url="https://ironwood.evenue.net/myaccount/transfers/accept?id=77004521",
        expires_at="2026-12-08T23:59:00-06:00",
    ),
)

# 14. An Apple Mail forward ("Begin forwarded message:").
_add(
    "apple_mail_forward",
    _message(
        "Jess Park <jess@marketplace.example>",
        "Fwd: You have received tickets",
        "Tue, 24 Nov 2026 08:30:00 -0600",
        _leaf("text/plain", """Sent from my iPhone

Begin forwarded message:

From: Prairie A&M Ticket Office <tickets@prairieam.evenue.net>
Subject: You have received tickets
Date: November 24, 2026 at 8:01:22 AM CST
To: transfers@marketplace.example

Greg Hollis has sent you tickets.

Event: Aggies Football vs. Buffalo Ridge
Date: Sat, Nov 28, 2026 6:00 PM CST
Venue: Harvest Field
Section: Club C
Row: 2
Seats: 1-2
Transfer ID: 55012983

Accept: https://prairieam.evenue.net/myaccount/transfers/accept?id=55012983
"""),
    ),
    _notice(
        transfer_ref="55012983",
        event_name="Aggies Football vs. Buffalo Ridge",
        event_starts_at="2026-11-28T18:00:00-06:00",
        venue="Harvest Field",
        section="Club C",
        row="2",
        seats=("1", "2"),
        sender_name="Greg Hollis",
        accept_url="https://prairieam.evenue.net/myaccount/transfers/accept?id=55012983",
        expires_at=None,
    ),
)

# 15. A reminder in text.
_add(
    "reminder_text_pending",
    _message(
        "Cumberland Tech Ticket Office <boxoffice@cumberlandtech.evenue.net>",
        "Reminder: You have tickets waiting to be accepted",
        "Wed, 25 Nov 2026 09:00:00 -0500",
        _leaf("text/plain", """Reminder

The tickets Lena O'Connor sent you are still waiting to be accepted.

Event: Foxes Football vs. Appalachian Ridge
Transfer #: 30077152

Accept them here: https://cumberlandtech.evenue.net/myaccount/transfers/accept?id=30077152&k=Zr81

This offer expires on 11/27/2026 at 12:00 PM ET.
"""),
    ),
    _followup(
        "transfer_reminder",
        transfer_ref="30077152",
        event_name="Foxes Football vs. Appalachian Ridge",
        sender_name="Lena O'Connor",
        expires_at="2026-11-27T12:00:00-05:00",
    ),
)

# 16. A reminder in HTML with a relative deadline.
_add(
    "reminder_html_hours_left",
    _message(
        "Bayou State Athletics Ticket Office <tickets@bayoustate.evenue.net>",
        "Only 24 hours left to accept your tickets",
        "Tue, 24 Nov 2026 23:59:00 -0600",
        _leaf("text/html", """<html><body>
<h2>Don't miss out!</h2>
<p>Dana Whitfield's transfer to you is still pending. It expires in 24 hours.</p>
<table><tr><td>Event</td><td>Pelicans Football vs. Gulf Coast</td></tr>
<tr><td>Transfer ID</td><td>40051872</td></tr></table>
<p><a href="$BAYOU_ACCEPT">Accept Now</a></p>
</body></html>
""".replace("$BAYOU_ACCEPT", _BAYOU_ACCEPT)),
    ),
    _followup(
        "transfer_reminder",
        transfer_ref="40051872",
        event_name="Pelicans Football vs. Gulf Coast",
        expires_at="2026-11-25T23:59:00-06:00",
    ),
)

# 17. The sender reclaimed the tickets.
_add(
    "cancelled_reclaimed_text",
    _message(
        "Ridgeline University Tickets <tickets@ridgeline.evenue.net>",
        "Ticket transfer cancelled",
        "Tue, 24 Nov 2026 17:45:00 -0500",
        _leaf("text/plain", """The ticket transfer from Alicia Grant has been cancelled.
The sender has reclaimed the tickets, and the link in the original email no longer works.

Event: Ridgeline Rams Football vs. Stone Valley
Transfer ID: 12093388

Questions? Contact the Ridgeline Ticket Office.
"""),
    ),
    _followup(
        "transfer_cancelled",
        transfer_ref="12093388",
        event_name="Ridgeline Rams Football vs. Stone Valley",
        sender_name="Alicia Grant",
    ),
)

# 18. Cancelled in HTML, American spelling, "no longer available".
_add(
    "cancelled_html_canceled_spelling",
    _message(
        "Mesa Verde University Tickets <tickets@mesaverde.evenue.net>",
        "Transfer Canceled",
        "Wed, 25 Nov 2026 10:00:00 -0700",
        _leaf("text/html", """<html><body>
<h1>Transfer Canceled</h1>
<p>Ben Okafor canceled the transfer of 2 tickets to Mesa Verde Mustangs vs. High Desert.
These tickets are no longer available to accept.</p>
<p>Transfer ID: 9031177</p>
</body></html>
"""),
    ),
    _followup("transfer_cancelled", transfer_ref="9031177"),
)

# 19. An accepted confirmation in text.
_add(
    "accepted_confirmation_text",
    _message(
        "Riverton University Ticket Office <tickets@riverton.evenue.net>",
        "Transfer complete - your tickets are ready",
        "Mon, 23 Nov 2026 19:12:00 -0600",
        _leaf("text/plain", """You've accepted your tickets!

The 4 tickets from Jordan Alvarez are now in your account.

Event: Otters Hockey vs. Iron Range
Transfer ID: 5520193

View them in My Account: https://riverton.evenue.net/myaccount
"""),
    ),
    _followup(
        "transfer_accepted",
        transfer_ref="5520193",
        event_name="Otters Hockey vs. Iron Range",
    ),
)

# 20. An accepted confirmation in HTML, multipart.
_add(
    "accepted_confirmation_html",
    _message(
        "Lakeshore College Athletics <tickets@lakeshore.evenue.net>",
        "Success! Ticket transfer accepted",
        "Wed, 25 Nov 2026 08:00:00 -0600",
        _multi(
            "alternative",
            "lk_acc_2",
            _leaf("text/plain",
                  "Your ticket transfer has been accepted. Confirmation #: 8812-3340\n"),
            _leaf("text/html", """<html><body><p>Your ticket transfer has been accepted.
The tickets for Gulls Men's Basketball vs. Northfield are now in your account.</p>
<p>Confirmation #: 8812-3340</p></body></html>
"""),
        ),
    ),
    _followup("transfer_accepted", transfer_ref="8812-3340"),
)

# 21. Marketing from the same sender: seats, dates and links, but no transfer.
_add(
    "marketing_same_sender",
    _message(
        "Bayou State Athletics Ticket Office <tickets@bayoustate.evenue.net>",
        "Holiday Hoops Pack: seats from $15!",
        "Fri, 20 Nov 2026 10:00:00 -0600",
        _leaf("text/html", """<html><body>
<h1>Holiday Hoops Pack</h1>
<p>Three games, one low price. Pelicans Basketball vs. Gulf Coast, Sat, Dec 19, 2026 7:00 PM CST
at Bayou Fieldhouse, and two more.</p>
<p>Section 104, Row 5 and other lower-level seats available now.</p>
<p><a href="https://bayoustate.evenue.net/cgi-bin/ncommerce3/SEGetGroupList?groupCode=HHP"
>Buy Now</a></p>
<p>Offer valid until Dec 15, 2026.</p>
<p><a href="https://bayoustate.evenue.net/unsubscribe">Unsubscribe</a></p>
</body></html>
"""),
    ),
    {"kind": "unrecognized"},
)

# 22. A season-ticket renewal that talks about transfers but is not one.
_add(
    "marketing_renewal_mentions_transfer",
    _message(
        "High Plains University Tickets <noreply@highplains.evenue.net>",
        "Renew your 2027 season tickets",
        "Thu, 26 Nov 2026 09:00:00 -0700",
        _leaf("text/plain", """It's time to renew your football season tickets for 2027.

Renew by Dec 15, 2026 to keep your seats. Remember: you can transfer tickets to friends and
family any time from My Account.

Renew now: https://highplains.evenue.net/myaccount/renewals
"""),
    ),
    {"kind": "unrecognized"},
)

# 23. A school whose mail comes from its own athletics domain, not a Paciolan host. From the
# text alone it cannot be told from a look-alike (anyone can write a notice with a portal link):
# until staff teach that domain it stays unrecognized and its link is never taken; once taught,
# every field is read.
_RIVER_HAWKS = _message(
    "River Hawks Ticket Office <ticketoffice@goriverhawks.com>",
    "Ticket Transfer from Imani Scott",
    "Mon, 23 Nov 2026 12:34:00 -0500",
    _leaf("text/plain", """Imani Scott has sent you 2 tickets.

Event: River Hawks Football vs. Fall Line
Date: Sat, Nov 28, 2026 12:00 PM ET
Venue: Hawk Field
Section: 14
Row: 8
Seats: 21-22
Transfer ID: 81100234

Accept your tickets: https://riverhawks.evenue.net/myaccount/transfers/accept?id=81100234

Must be accepted by Nov 26, 2026 11:59 PM ET.
"""),
)
_add("school_domain_sender_untaught", _RIVER_HAWKS,
     {"kind": "unrecognized", "accept_url": None, "transfer_ref": None})
_add(
    "school_domain_sender_taught",
    _RIVER_HAWKS,
    _notice(
        transfer_ref="81100234",
        event_name="River Hawks Football vs. Fall Line",
        event_starts_at="2026-11-28T12:00:00-05:00",
        venue="Hawk Field",
        section="14",
        row="8",
        seats=("21", "22"),
        sender_name="Imani Scott",
        accept_url="https://riverhawks.evenue.net/myaccount/transfers/accept?id=81100234",
        expires_at="2026-11-26T23:59:00-05:00",
    ),
    taught=("goriverhawks.com",),
)

# 24. Divs with a seat location on one line and a dotted date with a two-digit year.
_add(
    "div_layout_seat_location_dotted_date",
    _message(
        "Sierra Vista State Tickets <tickets@svsu.evenue.net>",
        "Maria Lopez has sent you tickets",
        "Sat, 21 Nov 2026 09:00:00 -0800",
        _leaf("text/html", """<html><body><div class="hdr">SIERRA VISTA STATE CONDORS</div>
<div>Maria Lopez (maria.lopez@example.com) has sent you tickets.</div>
<div class="evt">Condors Basketball vs. Pacific Bay</div>
<div>Saturday 12.05.26 | 6:00 PM PT</div>
<div>Venue: Condor Center</div>
<div>Seat Location: Sec 210, Row K, Seats 1-4</div>
<div>Transfer ID: 31198820</div>
<div><a href="https://svsu.evenue.net/transfer/accept?code=31198820">Accept</a></div>
<div>Offer valid until 12/01/2026 11:59 PM PT</div>
</body></html>
""", cte="base64"),
    ),
    _notice(
        transfer_ref="31198820",
        event_name="Condors Basketball vs. Pacific Bay",
        event_starts_at="2026-12-05T18:00:00-08:00",
        venue="Condor Center",
        section="210",
        row="K",
        seats=("1", "2", "3", "4"),
        sender_name="Maria Lopez",
        accept_url="https://svsu.evenue.net/transfer/accept?code=31198820",
        expires_at="2026-12-01T23:59:00-08:00",
    ),
)

# 25. An encoded-word subject, "@" between date and time, "Seats 3 & 4".
_add(
    "encoded_subject_at_sign_time",
    _message(
        "Granite Peak Athletics <tickets@granitepeak.evenue.net>",
        _encoded_word("\U0001f39f Tickets for you from Ethan Ward"),
        "Sun, 22 Nov 2026 20:00:00 -0700",
        _leaf("text/plain", """Ethan Ward has transferred tickets to you.

Event: Summit Wolves vs. Basin State
Date: Nov 28 2026 @ 12:00PM MST
Venue: Timberline Stadium
Section: 5 Row: 17 Seats: 3 & 4
Transfer ID: 4410982

Accept: https://granitepeak.evenue.net/myaccount/transfers/accept?id=4410982
Must be accepted by: Nov 27 2026 @ 12:00PM MST
""", cte="quoted-printable"),
    ),
    _notice(
        transfer_ref="4410982",
        event_name="Summit Wolves vs. Basin State",
        event_starts_at="2026-11-28T12:00:00-07:00",
        venue="Timberline Stadium",
        section="5",
        row="17",
        seats=("3", "4"),
        sender_name="Ethan Ward",
        accept_url="https://granitepeak.evenue.net/myaccount/transfers/accept?id=4410982",
        expires_at="2026-11-27T12:00:00-07:00",
    ),
)

# 26. A legacy eVenue notice with "Seat(s)" as a list and a "GS:" ticket code link.
_add(
    "legacy_evenue_iso_date",
    _message(
        "Old Mission University <athletics.tickets@oldmission.evenue.net>",
        "Ticket Transfer Notification",
        "Mon, 23 Nov 2026 06:00:00 -0800",
        _leaf("text/plain", """Dear Patron,

Tickets have been transferred to you by Hannah Cole.

Transfer Number: 1188204
Event: Padres Football vs. San Lucas
Event Date: 2026-11-28 7:30 PM PT
Facility: Mission Field
Section: 3   Row: M   Seat(s): 10, 11

Please sign in to accept your tickets:
https://oldmission.evenue.net/cgi-bin/ncommerce3/EVExecMacro?linkID=omu&evm=myac&entry=transfer&xfer=1188204

Tickets not accepted within 72 hours will be returned to the sender.
""", charset="iso-8859-1"),
    ),
    _notice(
        transfer_ref="1188204",
        event_name="Padres Football vs. San Lucas",
        event_starts_at="2026-11-28T19:30:00-08:00",
        venue="Mission Field",
        section="3",
        row="M",
        seats=("10", "11"),
        sender_name="Hannah Cole",
        accept_url="https://oldmission.evenue.net/cgi-bin/ncommerce3/EVExecMacro"
        "?linkID=omu&evm=myac&entry=transfer&xfer=1188204",
        expires_at="2026-11-26T06:00:00-08:00",
    ),
)

# Written later, after the parser was read and fixed: fresh wordings of the same families, to
# check the fixes are rules rather than fits (reported apart from the blind corpus above).
LATE_PREFIX = "late_"

# L1. An Outlook plain-text forward with a span deadline counted from the original's "Sent:".
_add(
    "late_outlook_text_forward_span",
    _message(
        "Ops Desk <ops@marketplace.example>",
        "FW: Ticket Transfer",
        "Thu, 26 Nov 2026 09:40:00 -0600",
        _leaf("text/plain", """Can you take this one?

-----Original Message-----
From: Bayou State Athletics Ticket Office <tickets@bayoustate.evenue.net>
Sent: Wednesday, November 25, 2026 4:15 PM
To: transfers@marketplace.example
Subject: Ticket Transfer

Corey Adams has transferred 3 tickets to you.

Event: Pelicans Women's Basketball vs. Delta Bend
Date: Sun, Dec 6, 2026 2:00 PM CST
Venue: Bayou Fieldhouse
SEC 204 / ROW 11 / SEATS 5\u20137
Transfer ID: 40068815

Accept: https://bayoustate.evenue.net/cgi-bin/ncommerce3/SEAcceptTransfer?transferId=40068815

Accept within 48 hours or the tickets return to Corey.
"""),
    ),
    _notice(
        transfer_ref="40068815",
        event_name="Pelicans Women's Basketball vs. Delta Bend",
        event_starts_at="2026-12-06T14:00:00-06:00",
        venue="Bayou Fieldhouse",
        section="204",
        row="11",
        seats=("5", "6", "7"),
        sender_name="Corey Adams",
        accept_url="https://bayoustate.evenue.net/cgi-bin/ncommerce3/SEAcceptTransfer"
        "?transferId=40068815",
        expires_at="2026-11-27T16:15:00-06:00",
    ),
)

# L2. One table row per seat under a header row; the game is a heading above it.
_add(
    "late_table_row_per_seat",
    _message(
        "Canyon Creek Athletics <tickets@canyoncreek.evenue.net>",
        "You've received 2 tickets",
        "Fri, 27 Nov 2026 10:00:00 -0600",
        _leaf("text/html", """<html><body>
<p>Good news! Dev Patel sent you 2 tickets.</p>
<h2>Wildcats Basketball vs. Sandhill</h2>
<p>Saturday, December 12 \u00b7 1:00 PM CT &mdash; Canyon Creek Coliseum</p>
<table><tr><th>Section</th><th>Row</th><th>Seat</th></tr>
<tr><td>115</td><td>G</td><td>9</td></tr>
<tr><td>115</td><td>G</td><td>10</td></tr></table>
<p><a href="https://canyoncreek.evenue.net/myaccount/transfers/accept?ref=CC45007">Accept</a>
&nbsp; <a href="https://canyoncreek.evenue.net/myaccount/transfers/decline?ref=CC45007">Decline</a></p>
<p>Transfer #: CC45007</p>
</body></html>
""", cte="quoted-printable"),
    ),
    _notice(
        transfer_ref="CC45007",
        event_name="Wildcats Basketball vs. Sandhill",
        event_starts_at="2026-12-12T13:00:00-06:00",
        venue=frozenset({"Canyon Creek Coliseum", None}),
        section="115",
        row="G",
        seats=("9", "10"),
        sender_name="Dev Patel",
        accept_url="https://canyoncreek.evenue.net/myaccount/transfers/accept?ref=CC45007",
    ),
)

# L3. iso-8859-1 quoted-printable, an accented venue, "through", a deadline without a year.
_add(
    "late_latin1_qp_through_no_year_deadline",
    _message(
        "Old Mission University <athletics.tickets@oldmission.evenue.net>",
        "Ticket transfer waiting for you",
        "Tue, 01 Dec 2026 08:00:00 -0800",
        _leaf("text/plain", """Hi,

Renée Dubois is sending you tickets.

Event Name: Padres Basketball vs. Monte Rosa
Date & Time: Dec 19, 2026, 5 PM PT
Location: Pavillon Sainte-Thérèse
Section: 12
Row: 4
Seat(s): 101 through 104
Transfer Number: 1191820

Accept your tickets:
https://oldmission.evenue.net/cgi-bin/ncommerce3/EVExecMacro?linkID=omu&evm=myac&xfer=1191820

This transfer expires on Thursday, December 10 at 5 p.m. PT.
""", charset="iso-8859-1", cte="quoted-printable"),
    ),
    _notice(
        transfer_ref="1191820",
        event_name="Padres Basketball vs. Monte Rosa",
        event_starts_at="2026-12-19T17:00:00-08:00",
        venue="Pavillon Sainte-Thérèse",
        section="12",
        row="4",
        seats=("101", "102", "103", "104"),
        sender_name="Renée Dubois",
        accept_url="https://oldmission.evenue.net/cgi-bin/ncommerce3/EVExecMacro"
        "?linkID=omu&evm=myac&xfer=1191820",
        expires_at="2026-12-10T17:00:00-08:00",
    ),
)

# L4. Recalled by the sender.
_add(
    "late_recalled",
    _message(
        "Cumberland Tech Ticket Office <boxoffice@cumberlandtech.evenue.net>",
        "Ticket transfer revoked",
        "Thu, 26 Nov 2026 12:00:00 -0500",
        _leaf("text/plain", """\
The tickets Lena O'Connor transferred to you have been recalled by the sender
and are no longer available.

Transfer #: 30077152
"""),
    ),
    _followup("transfer_cancelled", transfer_ref="30077152"),
)

# L5. Accepted: "added to your account".
_add(
    "late_added_to_account",
    _message(
        "Sierra Vista State Tickets <tickets@svsu.evenue.net>",
        "Your tickets are ready",
        "Mon, 23 Nov 2026 10:00:00 -0800",
        _leaf("text/html", """<html><body><p>Your tickets have been added to your account.</p>
<p>Condors Women's Volleyball vs. Valle Grande &middot; Transfer Code: SV-7741-QX</p>
<p><a href="https://svsu.evenue.net/myaccount">My Account</a></p></body></html>
"""),
    ),
    _followup("transfer_accepted", transfer_ref="SV-7741-QX"),
)

# L6. Marketing with reminder-like words.
_add(
    "late_marketing_last_chance",
    _message(
        "Riverton University Ticket Office <tickets@riverton.evenue.net>",
        "Last chance: seats still available for Saturday",
        "Wed, 25 Nov 2026 09:00:00 -0600",
        _leaf("text/html", """<html><body><h1>Don't forget!</h1>
<p>Seats are still available for Otters Hockey vs. Iron Range on November 28th at 7:30pm.
Section GA from $12.</p>
<p><a href="https://riverton.evenue.net/cgi-bin/ncommerce3/SEGetEventInfo?ticketCode=GS:RIV:HK26:05"
>Buy Tickets</a></p>
</body></html>
"""),
    ),
    {"kind": "unrecognized"},
)

# L7. A reminder whose deadline is "tomorrow": no time is stated, so none is read.
_add(
    "late_reminder_expires_tomorrow",
    _message(
        "Mesa Verde University Tickets <tickets@mesaverde.evenue.net>",
        "Your ticket transfer expires tomorrow",
        "Tue, 01 Dec 2026 08:00:00 -0700",
        _leaf("text/plain", """\
Ben Okafor's transfer to you has not been accepted yet and it expires tomorrow.

Event: Mesa Verde Mustangs vs. High Desert
Transfer ID: 9031177
Accept Transfer: https://mesaverde.evenue.net/transfer/accept/9031177
"""),
    ),
    _followup("transfer_reminder", transfer_ref="9031177", expires_at=None,
              event_name="Mesa Verde Mustangs vs. High Desert"),
)

# L8. A redirect carrying its destination in "target=", a button label only.
_TARGET = (
    "https://email.granitepeak.edu/c/redirect?target=https%3A%2F%2Fgranitepeak.evenue.net"
    "%2Fpac%2Ftx%2F4419021&amp;mid=77"
)
_PREFS = "https://email.granitepeak.edu/c/redirect?target=https%3A%2F%2Fgranitepeak.edu%2Fprefs"
_add(
    "late_redirect_target_param",
    _message(
        "Granite Peak Athletics <tickets@granitepeak.evenue.net>",
        "Ticket Transfer",
        "Mon, 30 Nov 2026 10:00:00 -0700",
        _leaf("text/html", f"""<html><body>
<p>Ethan Ward has transferred tickets to you.</p>
<p>Event: Summit Wolves vs. Juniper Flats<br>Date: Dec. 12, 2026 at 6 p.m. MT<br>
Venue: Timberline Stadium<br>Section 5, Row 17, Seats 3 and 4<br>Transfer ID: 4419021</p>
<p><a href="{_PREFS}">Email preferences</a> &nbsp; <a href="{_TARGET}">Accept Tickets</a></p>
</body></html>
""", cte="base64"),
    ),
    _notice(
        transfer_ref="4419021",
        event_name="Summit Wolves vs. Juniper Flats",
        event_starts_at="2026-12-12T18:00:00-07:00",
        venue="Timberline Stadium",
        section="5",
        row="17",
        seats=("3", "4"),
        sender_name="Ethan Ward",
        accept_url=frozenset({_TARGET.replace("&amp;", "&"),
                              "https://granitepeak.evenue.net/pac/tx/4419021"}),
    ),
)
