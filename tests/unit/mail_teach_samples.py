"""A school layout the general extractor cannot read, for the teach-a-template tests."""

from __future__ import annotations

from tests.unit.mail_samples import build

SCHOOL_FROM = "Bulldog Box Office <boxoffice@gobulldogs.evenue.net>"
DOMAIN = "gobulldogs.evenue.net"


def odd_text(game: str = "Bulldogs vs. Gators", block: str = "12", tier: str = "5",
             places: str = "3-4", ref: str = "BD-1001") -> str:
    """Labels no other school uses: Matchup (value on the next line), Block, Tier, Places."""
    return (
        "Greetings from the Bulldog Box Office\n"
        f"Matchup\n{game}\n"
        "Kick: 10/3/2026 at 7:00 PM ET\n"
        f"Block {block} Tier {tier} Places {places}\n"
        f"Passed along by Jo Park. Ticket code {ref}\n"
        f"Go here: https://gobulldogs.evenue.net/transfer/accept?id={ref}\n"
    )


def odd_notice(message_id: str, **values: str) -> bytes:
    """The odd layout as an email (HTML with inline styles, quoted-printable)."""
    text = odd_text(**values)
    html = "<html><body style='font-family:Georgia'>" + "".join(
        f"<p style='margin:0'>{line}</p>" for line in text.splitlines()) + "</body></html>"
    return build("A message from the Bulldog Box Office", text=text, html=html,
                 sender=SCHOOL_FROM, message_id=message_id, encoding="quoted-printable")
