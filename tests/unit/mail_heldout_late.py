"""Samples written LATER, after the parser was read and fixed: fresh wordings of the same
families, to check the fixes are rules rather than fits (reported apart from the blind corpus).
"""

from __future__ import annotations

from tests.unit.mail_heldout_build import Corpus, followup, leaf, message, notice

SAMPLES = Corpus()
_add = SAMPLES.add

# L1. An Outlook plain-text forward with a span deadline counted from the original's "Sent:".
_add(
    "late_outlook_text_forward_span",
    message(
        "Ops Desk <ops@marketplace.example>",
        "FW: Ticket Transfer",
        "Thu, 26 Nov 2026 09:40:00 -0600",
        leaf("text/plain", """Can you take this one?

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
    notice(
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
    message(
        "Canyon Creek Athletics <tickets@canyoncreek.evenue.net>",
        "You've received 2 tickets",
        "Fri, 27 Nov 2026 10:00:00 -0600",
        leaf("text/html", """<html><body>
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
    notice(
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
    message(
        "Old Mission University <athletics.tickets@oldmission.evenue.net>",
        "Ticket transfer waiting for you",
        "Tue, 01 Dec 2026 08:00:00 -0800",
        leaf("text/plain", """Hi,

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
    notice(
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
    message(
        "Cumberland Tech Ticket Office <boxoffice@cumberlandtech.evenue.net>",
        "Ticket transfer revoked",
        "Thu, 26 Nov 2026 12:00:00 -0500",
        leaf("text/plain", """\
The tickets Lena O'Connor transferred to you have been recalled by the sender
and are no longer available.

Transfer #: 30077152
"""),
    ),
    followup("transfer_cancelled", transfer_ref="30077152"),
)

# L5. Accepted: "added to your account".
_add(
    "late_added_to_account",
    message(
        "Sierra Vista State Tickets <tickets@svsu.evenue.net>",
        "Your tickets are ready",
        "Mon, 23 Nov 2026 10:00:00 -0800",
        leaf("text/html", """<html><body><p>Your tickets have been added to your account.</p>
<p>Condors Women's Volleyball vs. Valle Grande &middot; Transfer Code: SV-7741-QX</p>
<p><a href="https://svsu.evenue.net/myaccount">My Account</a></p></body></html>
"""),
    ),
    followup("transfer_accepted", transfer_ref="SV-7741-QX"),
)

# L6. Marketing with reminder-like words.
_add(
    "late_marketing_last_chance",
    message(
        "Riverton University Ticket Office <tickets@riverton.evenue.net>",
        "Last chance: seats still available for Saturday",
        "Wed, 25 Nov 2026 09:00:00 -0600",
        leaf("text/html", """<html><body><h1>Don't forget!</h1>
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
    message(
        "Mesa Verde University Tickets <tickets@mesaverde.evenue.net>",
        "Your ticket transfer expires tomorrow",
        "Tue, 01 Dec 2026 08:00:00 -0700",
        leaf("text/plain", """\
Ben Okafor's transfer to you has not been accepted yet and it expires tomorrow.

Event: Mesa Verde Mustangs vs. High Desert
Transfer ID: 9031177
Accept Transfer: https://mesaverde.evenue.net/transfer/accept/9031177
"""),
    ),
    followup("transfer_reminder", transfer_ref="9031177", expires_at=None,
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
    message(
        "Granite Peak Athletics <tickets@granitepeak.evenue.net>",
        "Ticket Transfer",
        "Mon, 30 Nov 2026 10:00:00 -0700",
        leaf("text/html", f"""<html><body>
<p>Ethan Ward has transferred tickets to you.</p>
<p>Event: Summit Wolves vs. Juniper Flats<br>Date: Dec. 12, 2026 at 6 p.m. MT<br>
Venue: Timberline Stadium<br>Section 5, Row 17, Seats 3 and 4<br>Transfer ID: 4419021</p>
<p><a href="{_PREFS}">Email preferences</a> &nbsp; <a href="{_TARGET}">Accept Tickets</a></p>
</body></html>
""", cte="base64"),
    ),
    notice(
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

# L9. The date and the kickoff time on separate labelled lines; a US date with dashes.
_add(
    "late_kickoff_line_dashed_date",
    message(
        "Prairie A&M Ticket Office <tickets@prairieam.evenue.net>",
        "Ticket Transfer",
        "Mon, 23 Nov 2026 09:00:00 -0600",
        leaf("text/plain", """Hello! Sam Lee would like to transfer 2 tickets to you.

Event: Aggies Football vs. Salt Flats
Date: 12-05-2026
Kickoff: 11:00 AM CT
Section: Floor A
Row: 3
Seats: 7 - 8
Transfer ID: 55019901

Claim your tickets: https://prairieam.evenue.net/t/55019901
"""),
    ),
    notice(
        transfer_ref="55019901",
        event_name="Aggies Football vs. Salt Flats",
        event_starts_at="2026-12-05T11:00:00-06:00",
        section="Floor A",
        row="3",
        seats=("7", "8"),
        sender_name="Sam Lee",
        accept_url="https://prairieam.evenue.net/t/55019901",
    ),
)

# L10. "Tickets from:" as the seller's label.
_add(
    "late_tickets_from_label",
    message(
        "Ridgeline University Tickets <tickets@ridgeline.evenue.net>",
        "Ticket Transfer",
        "Mon, 23 Nov 2026 09:00:00 -0500",
        leaf("text/plain", """Tickets from: Marisol Vega
Event: Ridgeline Rams Hockey vs. Stone Valley
Date: Nov 28, 2026 7:30PM ET
Section: 5 | Row: 3 | Seats: 1-2
Transfer ID: 12099001
Accept: https://ridgeline.evenue.net/myaccount/transfers/accept?tid=12099001
"""),
    ),
    notice(
        transfer_ref="12099001",
        event_name="Ridgeline Rams Hockey vs. Stone Valley",
        event_starts_at="2026-11-28T19:30:00-05:00",
        section="5",
        row="3",
        seats=("1", "2"),
        sender_name="Marisol Vega",
        accept_url="https://ridgeline.evenue.net/myaccount/transfers/accept?tid=12099001",
    ),
)
