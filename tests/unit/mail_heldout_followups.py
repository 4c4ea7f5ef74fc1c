"""Held-out corpus 15-26: reminders, cancellations, confirmations, marketing, other senders."""

from __future__ import annotations

from tests.unit.mail_heldout_build import (
    BAYOU_ACCEPT,
    Corpus,
    encoded_word,
    followup,
    leaf,
    message,
    multi,
    notice,
)

SAMPLES = Corpus()
_add = SAMPLES.add

# 15. A reminder in text.
_add(
    "reminder_text_pending",
    message(
        "Cumberland Tech Ticket Office <boxoffice@cumberlandtech.evenue.net>",
        "Reminder: You have tickets waiting to be accepted",
        "Wed, 25 Nov 2026 09:00:00 -0500",
        leaf("text/plain", """Reminder

The tickets Lena O'Connor sent you are still waiting to be accepted.

Event: Foxes Football vs. Appalachian Ridge
Transfer #: 30077152

Accept them here: https://cumberlandtech.evenue.net/myaccount/transfers/accept?id=30077152&k=Zr81

This offer expires on 11/27/2026 at 12:00 PM ET.
"""),
    ),
    followup(
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
    message(
        "Bayou State Athletics Ticket Office <tickets@bayoustate.evenue.net>",
        "Only 24 hours left to accept your tickets",
        "Tue, 24 Nov 2026 23:59:00 -0600",
        leaf("text/html", """<html><body>
<h2>Don't miss out!</h2>
<p>Dana Whitfield's transfer to you is still pending. It expires in 24 hours.</p>
<table><tr><td>Event</td><td>Pelicans Football vs. Gulf Coast</td></tr>
<tr><td>Transfer ID</td><td>40051872</td></tr></table>
<p><a href="$BAYOU_ACCEPT">Accept Now</a></p>
</body></html>
""".replace("$BAYOU_ACCEPT", BAYOU_ACCEPT)),
    ),
    followup(
        "transfer_reminder",
        transfer_ref="40051872",
        event_name="Pelicans Football vs. Gulf Coast",
        expires_at="2026-11-25T23:59:00-06:00",
    ),
)

# 17. The sender reclaimed the tickets.
_add(
    "cancelled_reclaimed_text",
    message(
        "Ridgeline University Tickets <tickets@ridgeline.evenue.net>",
        "Ticket transfer cancelled",
        "Tue, 24 Nov 2026 17:45:00 -0500",
        leaf("text/plain", """The ticket transfer from Alicia Grant has been cancelled.
The sender has reclaimed the tickets, and the link in the original email no longer works.

Event: Ridgeline Rams Football vs. Stone Valley
Transfer ID: 12093388

Questions? Contact the Ridgeline Ticket Office.
"""),
    ),
    followup(
        "transfer_cancelled",
        transfer_ref="12093388",
        event_name="Ridgeline Rams Football vs. Stone Valley",
        sender_name="Alicia Grant",
    ),
)

# 18. Cancelled in HTML, American spelling, "no longer available".
_add(
    "cancelled_html_canceled_spelling",
    message(
        "Mesa Verde University Tickets <tickets@mesaverde.evenue.net>",
        "Transfer Canceled",
        "Wed, 25 Nov 2026 10:00:00 -0700",
        leaf("text/html", """<html><body>
<h1>Transfer Canceled</h1>
<p>Ben Okafor canceled the transfer of 2 tickets to Mesa Verde Mustangs vs. High Desert.
These tickets are no longer available to accept.</p>
<p>Transfer ID: 9031177</p>
</body></html>
"""),
    ),
    followup("transfer_cancelled", transfer_ref="9031177"),
)

# 19. An accepted confirmation in text.
_add(
    "accepted_confirmation_text",
    message(
        "Riverton University Ticket Office <tickets@riverton.evenue.net>",
        "Transfer complete - your tickets are ready",
        "Mon, 23 Nov 2026 19:12:00 -0600",
        leaf("text/plain", """You've accepted your tickets!

The 4 tickets from Jordan Alvarez are now in your account.

Event: Otters Hockey vs. Iron Range
Transfer ID: 5520193

View them in My Account: https://riverton.evenue.net/myaccount
"""),
    ),
    followup(
        "transfer_accepted",
        transfer_ref="5520193",
        event_name="Otters Hockey vs. Iron Range",
    ),
)

# 20. An accepted confirmation in HTML, multipart.
_add(
    "accepted_confirmation_html",
    message(
        "Lakeshore College Athletics <tickets@lakeshore.evenue.net>",
        "Success! Ticket transfer accepted",
        "Wed, 25 Nov 2026 08:00:00 -0600",
        multi(
            "alternative",
            "lk_acc_2",
            leaf("text/plain",
                  "Your ticket transfer has been accepted. Confirmation #: 8812-3340\n"),
            leaf("text/html", """<html><body><p>Your ticket transfer has been accepted.
The tickets for Gulls Men's Basketball vs. Northfield are now in your account.</p>
<p>Confirmation #: 8812-3340</p></body></html>
"""),
        ),
    ),
    followup("transfer_accepted", transfer_ref="8812-3340"),
)

# 21. Marketing from the same sender: seats, dates and links, but no transfer.
_add(
    "marketing_same_sender",
    message(
        "Bayou State Athletics Ticket Office <tickets@bayoustate.evenue.net>",
        "Holiday Hoops Pack: seats from $15!",
        "Fri, 20 Nov 2026 10:00:00 -0600",
        leaf("text/html", """<html><body>
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
    message(
        "High Plains University Tickets <noreply@highplains.evenue.net>",
        "Renew your 2027 season tickets",
        "Thu, 26 Nov 2026 09:00:00 -0700",
        leaf("text/plain", """It's time to renew your football season tickets for 2027.

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
_RIVER_HAWKS = message(
    "River Hawks Ticket Office <ticketoffice@goriverhawks.com>",
    "Ticket Transfer from Imani Scott",
    "Mon, 23 Nov 2026 12:34:00 -0500",
    leaf("text/plain", """Imani Scott has sent you 2 tickets.

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
     {"kind": "unrecognized", "accept_url": None, "transfer_ref": None,
      "looks_like_notice": True})
_add(
    "school_domain_sender_taught",
    _RIVER_HAWKS,
    notice(
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
    message(
        "Sierra Vista State Tickets <tickets@svsu.evenue.net>",
        "Maria Lopez has sent you tickets",
        "Sat, 21 Nov 2026 09:00:00 -0800",
        leaf("text/html", """<html><body><div class="hdr">SIERRA VISTA STATE CONDORS</div>
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
    notice(
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
    message(
        "Granite Peak Athletics <tickets@granitepeak.evenue.net>",
        encoded_word("\U0001f39f Tickets for you from Ethan Ward"),
        "Sun, 22 Nov 2026 20:00:00 -0700",
        leaf("text/plain", """Ethan Ward has transferred tickets to you.

Event: Summit Wolves vs. Basin State
Date: Nov 28 2026 @ 12:00PM MST
Venue: Timberline Stadium
Section: 5 Row: 17 Seats: 3 & 4
Transfer ID: 4410982

Accept: https://granitepeak.evenue.net/myaccount/transfers/accept?id=4410982
Must be accepted by: Nov 27 2026 @ 12:00PM MST
""", cte="quoted-printable"),
    ),
    notice(
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
    message(
        "Old Mission University <athletics.tickets@oldmission.evenue.net>",
        "Ticket Transfer Notification",
        "Mon, 23 Nov 2026 06:00:00 -0800",
        leaf("text/plain", """Dear Patron,

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
    notice(
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
