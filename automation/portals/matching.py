"""Matching what a page says against what the notice promised, whatever the site's spelling.

Sites differ in case, punctuation and spacing ("Football vs. Riverside", "FOOTBALL VS
RIVERSIDE"); these helpers compare words, never layouts.
"""

from __future__ import annotations

import re

from automation.portals.protocol import TransferTarget


def words(text: str) -> list[str]:
    """Lower-cased words and numbers of ``text`` (punctuation and spacing dropped)."""
    return re.findall(r"[0-9a-z]+", text.lower())


def mentions(text: str, phrase: str) -> bool:
    """True when ``text`` contains ``phrase`` as consecutive words (case and punctuation
    ignored); an empty phrase is never mentioned."""
    wanted, found = words(phrase), words(text)
    if not wanted:
        return False
    size = len(wanted)
    return any(found[i:i + size] == wanted for i in range(len(found) - size + 1))


def shows_seats(text: str, target: TransferTarget) -> bool:
    """True when every expected seat number is a word of ``text``."""
    found = set(words(text))
    return all(seat.lower() in found for seat in target.seats)


def pending_match(texts: list[str], target: TransferTarget) -> int | None:
    """Index of the one pending-list entry that is ``target``: its reference, else its event
    (narrowed by the seats when several entries name the event); None when none or several."""
    if target.transfer_ref:
        by_ref = [i for i, text in enumerate(texts) if target.transfer_ref in text]
        if len(by_ref) == 1:
            return by_ref[0]
    by_event = [i for i, text in enumerate(texts) if mentions(text, target.event_name)]
    if len(by_event) > 1:
        by_event = [i for i in by_event if shows_seats(texts[i], target)]
    return by_event[0] if len(by_event) == 1 else None
