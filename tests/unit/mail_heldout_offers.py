"""Held-out corpus, offers 1-7: HTML tables, text, alternative parts, charsets, GA."""

from __future__ import annotations

from tests.unit.mail_heldout_build import BAYOU_ACCEPT, Corpus, leaf, message, multi, notice

SAMPLES = Corpus()
_add = SAMPLES.add

# 1. HTML only, nested layout tables, quoted-printable.
_add(
    "html_nested_tables_qp",
    message(
        "Bayou State Athletics Ticket Office <tickets@bayoustate.evenue.net>",
        "Tickets have been transferred to you",
        "Mon, 23 Nov 2026 09:14:00 -0600",
        leaf("text/html", """<html><body style="margin:0">
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
""".replace("$BAYOU_ACCEPT", BAYOU_ACCEPT), cte="quoted-printable"),
    ),
    notice(
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
    message(
        "High Plains University Tickets <noreply@highplains.evenue.net>",
        "Marcus Bell sent you tickets",
        "Tue, 24 Nov 2026 08:02:45 -0700",
        leaf("text/plain", """Hi there,

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
    notice(
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
    message(
        "Lakeshore College Athletics <tickets@lakeshore.evenue.net>",
        "Your Ticket Transfer from Priya Natarajan",
        "Tue, 24 Nov 2026 15:02:11 -0600",
        multi(
            "alternative",
            "==lk_alt_01",
            leaf("text/plain", "Your email program cannot show this message.\n"
                  "View it online: https://view.lakeshore.edu/m/aa81c2\n"),
            leaf("text/html", """<!DOCTYPE html><html><head><style>.k{font-weight:bold}</style>
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
    notice(
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
    message(
        "Cumberland Tech Ticket Office <boxoffice@cumberlandtech.evenue.net>",
        "You have received a ticket transfer",
        "Fri, 20 Nov 2026 11:30:00 -0500",
        leaf("text/plain", """\
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
    notice(
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
    message(
        "Sierra Vista State Tickets <tickets@svsu.evenue.net>",
        "Ticket transfer: Condors Volleyball",
        "Sun, 22 Nov 2026 18:40:00 -0800",
        leaf("text/html", """<html><body>
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
    notice(
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
    message(
        "Delta Valley Tickets <tix@deltavalley.evenue.net>",
        "TICKET TRANSFER NOTIFICATION",
        "Mon, 30 Nov 2026 07:45:00 -0500",
        leaf("text/plain", """TICKET TRANSFER NOTIFICATION

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
    notice(
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
    message(
        "Riverton University Ticket Office <tickets@riverton.evenue.net>",
        "4 tickets are waiting for you",
        "Sat, 21 Nov 2026 12:00:00 -0600",
        leaf("text/html", """<html><body>
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
    notice(
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
