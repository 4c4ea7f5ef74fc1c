"""The vocabulary of ticket-transfer mail, as data: field labels and phrasings.

Every school brands its own notices, so the extractor does not know layouts; it knows the words
schools use for each field (any case, with or without a colon) and the phrasings of a sender.
Add a spelling here, never a layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    """A case-insensitive phrase pattern with the words every match contains.

    The pattern tries each of its alternatives at every position of a text, which is slow on
    long bodies; an ASCII text (the usual case) without any of ``words`` cannot match, so it is
    answered without running the pattern. Non-ASCII text always runs the pattern (case folding
    beyond ASCII is the regex engine's to decide).
    """

    pattern: re.Pattern[str]
    words: tuple[str, ...]

    def search(self, text: str) -> re.Match[str] | None:
        """The first match in ``text``, like :meth:`re.Pattern.search`."""
        if text.isascii():
            lowered = text.lower()
            if not any(word in lowered for word in self.words):
                return None
        return self.pattern.search(text)

# Field -> the label spellings that introduce it (normalised: lower case, single spaces).
LABELS: dict[str, tuple[str, ...]] = {
    "event_name": (
        "event", "event name", "event title", "game", "match", "matchup", "performance",
        "show", "title", "opponent", "event description", "description",
    ),
    "event_starts_at": (
        "date", "event date", "game date", "date/time", "date / time", "date & time",
        "date and time", "event date/time", "event date & time", "event date and time",
        "when", "starts", "start", "starts at", "kickoff", "kick-off", "game day", "day/time",
        "event time", "showtime", "date of event",
    ),
    "time": ("time", "start time", "game time", "kickoff time", "tip-off", "tipoff"),
    "venue": ("venue", "location", "where", "facility", "stadium", "arena", "site", "place"),
    "section": ("section", "sec", "sect", "section name", "seating section", "area", "zone"),
    "row": ("row", "row name", "row number"),
    "seats": (
        "seat", "seats", "seat(s)", "seat number", "seat numbers", "seat #", "seat no",
        "seat nos", "seat no.", "seat(s) #",
    ),
    "quantity": (
        "qty", "quantity", "tickets", "number of tickets", "# of tickets", "no. of tickets",
        "ticket count", "ticket quantity", "number of seats", "count",
    ),
    "sender": (
        "sent by", "sender", "transferred by", "transfer from", "from", "transferor",
        "sender name", "sent from", "given by", "tickets from", "transferred from",
    ),
    "location": (
        "seat location", "seat details", "seating", "seat info", "seat information",
        "seating location", "location details", "your seats", "seat assignment",
    ),
    "transfer_ref": (
        "transfer id", "transfer #", "transfer number", "transfer no", "transfer no.",
        "transfer reference", "transfer ref", "reference", "reference number", "reference #",
        "ref", "ref #", "confirmation", "confirmation number", "confirmation #",
        "transfer code", "order", "order #", "order number", "order no", "order no.", "order id",
    ),
    "expires_at": (
        "accept by", "expires", "expires on", "expiration", "expiration date", "expiry",
        "offer expires", "must be accepted by", "accept before", "deadline", "claim by",
        "respond by", "valid until",
    ),
}

# Label spelling -> field, longest spellings first so "event date" wins over "event".
LABEL_TO_FIELD: dict[str, str] = dict(sorted(
    ((label, field) for field, labels in LABELS.items() for label in labels),
    key=lambda item: -len(item[0]),
))

LOCATION_FIELDS = ("section", "row", "seats")

# Words of a seat location inside one line ("Section 104  Row 22  Seats 1-2", "Sec 12 | Row 5").
LOCATION_LABEL = re.compile(
    r"(?<![\w])(?P<label>seat\(s\)|seats?|sec(?:tion|t)?\.?|row)(?![\w])\s*[:#.]?\s*",
    re.IGNORECASE,
)

_NAME = r"(?P<name>[^\W\d_][^\W\d_.'’\- ]*(?:[ .'’\-]{1,2}[^\W\d_][^\W\d_'’\-]*\.?){0,5})"
_CAP_NAME = (  # a name in capitals, where no verb before it says it is one
    r"(?P<name>(?-i:[A-Z])[^\W\d_]*(?:[ .'’\-]{1,2}(?-i:[A-Z])[^\W\d_'’\-]*\.?){0,4})"
)
_EMAIL = (
    r"(?:\s*[(<\[]\s*(?:mailto:)?(?P<email>[^()<>\[\]\s@]+@[^()<>\[\]\s@]+\.[A-Za-z]{2,})"
    r"\s*[)>\]])?"
)
_VERB = (
    r"(?:has\s+|have\s+|just\s+)?(?:sent|transferred|forwarded|shared|gifted|given)"
    r"|is\s+(?:sending|transferring)|(?:wants|would\s+like)\s+to\s+(?:send|transfer|give)"
    r"|has\s+(?:cancell?ed|revoked|recalled|reclaimed|withdrawn)"
)

# Who sent the tickets, in the usual phrasings; the first that yields a name or an email wins.
SENDER_PHRASES: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I | re.M) for p in (
    rf"(?:^|[.!?:]\s+|\bgood news[!,.]?\s+){_NAME}{_EMAIL}\s+(?:{_VERB})\b",
    rf"\b(?:tickets?|seats?|transfer)\b[^.\n]{{0,60}}?\b(?:from|by)\s+{_NAME}{_EMAIL}"
    r"(?=\s*(?:[.!,;:—–]|$|-\s|\s+(?:for|to|on|has|is|and|are|were|was)\b))",
    rf"\b(?:the\s+)?(?:tickets?|seats?)\s+{_CAP_NAME}\s+(?:has\s+|have\s+|just\s+)?"
    r"(?:sent|transferred|gave)\s+(?:to\s+)?you\b",
    rf"^\s*(?:sent by|sender(?: name)?|transferred by|transfer from|transferor|from)"
    rf"\s*[:\-–]?\s*{_NAME}{_EMAIL}\s*\.?$",
))
# Names that are roles or the portal itself, never a seller.
NOT_A_NAME = frozenset({
    "you", "we", "your", "the", "a", "an", "this", "someone", "paciolan", "ticket office",
    "the ticket office", "tickets", "hi", "hello", "dear", "note", "reminder", "fwd", "fw",
})

# Words that never occur in a seller's name ("Tickets have been transferred ...").
NOT_NAME_WORDS = frozenset({
    "ticket", "tickets", "seat", "seats", "have", "has", "been", "your", "you", "the", "transfer",
    "transfers", "order", "account", "we", "our", "this", "these", "they", "it", "was", "were",
})
# Titles: "Oregon vs. Washington", "Ducks @ Beavers", "Jazz v Lakers".
TITLE_LINE = re.compile(
    r"^(?=.*[^\W\d_]{2})(?!.*https?:)(?P<value>[^\n:]{2,60}?\s(?:vs\.?|v\.?|versus|@|at)\s"
    r"[^\n:]{2,60}?)\s*$",
    re.IGNORECASE,
)
QUOTED_AFTER_FOR = re.compile(
    r"\b(?:for|to)\s+(?:the\s+)?[\"“”‘'«](?P<value>[^\"“”’'»\n]{3,100})[\"“”’'»]",
    re.IGNORECASE,
)
# "sent you 2 tickets to Football vs. Michigan." (unquoted, capitalised, up to the sentence end)
EVENT_AFTER_FOR = re.compile(
    r"\btickets?\s+(?:to\s+you\s+)?(?:to|for)\s+(?:the\s+)?(?!you\b|your\b|this\b|the\s+following\b)"
    r"(?P<value>(?-i:[A-Z0-9])(?:[^.!?\n]|(?<=\bvs)\.|(?<=\bv)\.|(?<=\bst)\.|(?<=\bno)\.)"
    r"{2,90}?)(?=\s+on\s+(?:\w+day|\d|[A-Z][a-z]{2})|(?<!\bvs)(?<!\bv)(?<!\bst)(?<!\bno)[.!?](?:\s|$)"
    r"|\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
SUBJECT_EVENT: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\btickets?\s+(?:for|to)\s+[\"“”‘']?(?P<value>[^\"“”’'\n]{3,100}?)[\"“”’']?"
    r"(?:\s+(?:on|from|have|has|are|is)\b.*)?$",
    r"^(?:fwd?|re)?:?\s*(?P<value>[^:|\-–]{3,80}?)\s*[|\-–:]\s*(?:ticket|transfer|your tickets)",
    r"(?:transfer|tickets?)\s*(?:received|waiting|pending)?\s*[|\-–:]\s*(?P<value>[^|\-–:]{3,80})$",
))

# Vocabulary of each kind of portal mail (body or subject). A reminder says the tickets are
# still not accepted; a bare "not accepted" is the offer's own condition ("if it is not accepted
# by ..., tickets not accepted within 72 hours return"), not a reminder.
CODE_WORDS = Vocabulary(re.compile(
    r"\b(?:verification|security|one[- ]time|sign[- ]in|login|log[- ]in|authentication|access)"
    r"\s+(?:code|passcode|pin)\b|\bpasscode\b|\b2fa\b|\botp\b",
    re.IGNORECASE,
), ("code", "pin", "2fa", "otp"))
TRANSFER_WORDS = re.compile(
    r"\b(?:sent you|has sent|have sent|transferred|transferring|ticket transfer|transfer(?:red)?"
    r" (?:of|your|the)|tickets? (?:are|is) waiting|you(?:'ve|’ve| have) (?:received|been sent)"
    r"|accept (?:your|the|these|them|it)|claim (?:your|the|these)"
    r"|transfer (?:id|number|no|code|reference|ref)|transfer\s*#\s*\d+)\b",
    re.IGNORECASE,
)
CANCELLED_WORDS = Vocabulary(re.compile(
    r"\b(?:transfer|tickets?|offer)\b[^.\n]{0,60}\b(?:has|have|was|were)\s+(?:been\s+)?"
    r"(?:cancell?ed|revoked|recalled|withdrawn|reclaimed|rescinded|voided)\b"
    r"|\b(?:cancell?ed|revoked|recalled|withdrew|reclaimed|rescinded|took back|has taken back)"
    r"\s+(?:the\s+|their\s+|this\s+|his\s+|her\s+)?(?:ticket\s+)?(?:transfer|tickets?|offer)\b"
    r"|\btransfer\s+(?:cancell?ed|revoked|recalled|withdrawn)\b",
    re.IGNORECASE,
), ("cancel", "revoked", "recalled", "withdr", "reclaimed", "rescinded", "voided", "took back",
    "taken back"))
ACCEPTED_WORDS = Vocabulary(re.compile(
    r"\b(?:you(?:'ve|’ve| have)?\s+(?:successfully\s+)?(?:accepted|claimed)"
    r"|(?:transfer|tickets?)\s+(?:has|have|was|were)\s+(?:been\s+)?(?:successfully\s+)?"
    r"(?:accepted|claimed|completed)|transfer\s+(?:accepted|complete[d]?)"
    r"|(?:accepted|claimed)\s+(?:your|the)\s+tickets?"
    r"|have been added to your account)\b",
    re.IGNORECASE,
), ("accepted", "claimed", "complete", "added to your account"))
REMINDER_WORDS = Vocabulary(re.compile(
    r"\b(?:reminder|remind(?:ing)? you|still (?:waiting|pending|available)|(?:have|has)n['’]?t"
    r" (?:yet )?(?:been )?accepted|(?:have|has) not (?:yet )?(?:been )?accepted"
    r"|not (?:yet (?:been )?|been )accepted|don['’]t forget|"
    r"(?:expires?|expiring) (?:soon|today|tomorrow)|last chance|awaiting your acceptance)\b",
    re.IGNORECASE,
), ("remind", "still", "accepted", "forget", "expir", "last chance", "awaiting your acceptance"))
PROMO_WORDS = Vocabulary(re.compile(
    r"\b(?:renew(?:al)?s?|newsletter|unsubscribe from (?:our )?(?:marketing|promotions)|"
    r"season tickets? on sale|on sale now|save \d+%|promo(?:tion)? code|special offer|"
    r"donat(?:e|ion)|survey)\b",
    re.IGNORECASE,
), ("renew", "newsletter", "unsubscribe", "on sale", "save", "promo", "special offer", "donat",
    "survey"))
ACCEPT_LINK = re.compile(r"accept|claim|transfer|receive", re.IGNORECASE)
