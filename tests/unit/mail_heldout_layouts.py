"""Held-out corpus, offers 8-14: several events, click tracking, forwards."""

from __future__ import annotations

from tests.unit.mail_heldout_build import Corpus, followup, leaf, message, multi, notice

SAMPLES = Corpus()
_add = SAMPLES.add

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
    message(
        "High Plains University Tickets <noreply@highplains.evenue.net>",
        "Chris Delgado has transferred 6 tickets to you",
        "Wed, 25 Nov 2026 10:10:10 -0700",
        leaf("text/html", """<html><body>
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
    followup(
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
    message(
        "Canyon Creek Athletics <tickets@canyoncreek.evenue.net>",
        "Tickets transferred to you (2 games)",
        "Thu, 19 Nov 2026 16:20:00 -0600",
        leaf("text/plain", """Rosa Jimenez has sent you tickets to 2 games.

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
    followup(
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
    message(
        "Coastal Shorebirds Tickets <tickets@shorebirds.evenue.net>",
        "Ticket Transfer Offer",
        "Mon, 23 Nov 2026 13:00:00 -0500",
        leaf("text/html", f"""<html><body>
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
    notice(
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
    message(
        "Mesa Verde University Tickets <tickets@mesaverde.evenue.net>",
        "Tickets from Ben Okafor",
        "Tue, 24 Nov 2026 09:30:00 -0700",
        multi(
            "alternative",
            "b_mv_77",
            leaf("text/plain", f"""Ben Okafor has sent you 2 tickets.

Event: Mesa Verde Mustangs vs. High Desert
Date: Fri, Dec 4, 2026 6:30 PM MT
Venue: Juniper Arena
Section: 118  Row: 12  Seats: 3-4
Transfer ID: 9031177

Accept Transfer ( {_OPAQUE}-2FqA7 )

Must be accepted by Wed, Dec 2, 2026 11:59 PM MT.

Unsubscribe ( {_OPAQUE}-2FzU9 )
"""),
            leaf("text/html", f"""<html><body>
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
    notice(
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
    message(
        "Sam Ortiz <sam@marketplace.example>",
        "Fwd: Tickets transferred to you",
        "Mon, 23 Nov 2026 11:02:00 -0500",
        leaf("text/plain", """FYI, for the Rams order.

---------- Forwarded message ---------
From: Ridgeline University Tickets <tickets@ridgeline.evenue.net>
Date: Mon, Nov 23, 2026 at 10:12 AM
Subject: Tickets transferred to you
To: <transfers@marketplace.example>


""" + _RIDGELINE_TEXT),
    ),
    notice(
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
    message(
        "Ops Desk <ops@marketplace.example>",
        "FW: Ticket Transfer Offer",
        "Mon, 23 Nov 2026 14:20:00 -0600",
        leaf("text/html", """<html><body><div>Please process.</div>
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
    notice(
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
    message(
        "Jess Park <jess@marketplace.example>",
        "Fwd: You have received tickets",
        "Tue, 24 Nov 2026 08:30:00 -0600",
        leaf("text/plain", """Sent from my iPhone

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
    notice(
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
