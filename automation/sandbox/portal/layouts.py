"""Labels and element ids of the portal's two page layouts.

"normal" is the sandbox's own Paciolan-like layout; "alternate" is the same site after a
redesign (other labels, ids and structure), used to prove that selector drift is detected and that
a profile edit fixes it (both have sandbox-only profiles in resources/sandbox/profiles/).
"modern" and "legacy" copy real Paciolan front ends from the public record (their pages are in
:mod:`automation.sandbox.portal.paciolan_pages`); their labels below are only for the pages
nothing public describes (accept page, confirmation, states), and a site's ``wording``
replaces them (:func:`with_wording`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Layout:
    """Every visible label and id the pages use."""

    name: str
    sign_in_heading: str
    email_label: str
    email_id: str
    continue_label: str
    password_label: str
    password_id: str
    keep_label: str
    keep_id: str
    sign_in_label: str
    code_heading: str
    code_label: str
    code_id: str
    submit_code_label: str
    account_heading: str
    owned_heading: str
    pending_heading: str
    view_transfer_label: str
    transfer_heading: str
    accept_label: str
    decline_label: str
    accepted_heading: str
    declined_heading: str
    owned_as_table: bool
    already_accepted: str = "This transfer has already been accepted."
    expired: str = "This transfer has expired. Ask the sender to send the tickets again."
    cancelled: str = "This transfer was cancelled by the sender."
    declined: str = "This transfer was declined."
    fee_notice: str = "The sender asks you to pay a transfer fee when you accept:"


NORMAL = Layout(
    name="normal",
    sign_in_heading="Sign In",
    email_label="Email Address",
    email_id="email",
    continue_label="Continue",
    password_label="Password",
    password_id="password",
    keep_label="Keep me signed in",
    keep_id="keep-signed-in",
    sign_in_label="Sign In",
    code_heading="Verify Your Identity",
    code_label="Verification Code",
    code_id="verification-code",
    submit_code_label="Submit Code",
    account_heading="My Account",
    owned_heading="My Tickets",
    pending_heading="Pending Transfers",
    view_transfer_label="View Transfer",
    transfer_heading="Ticket Transfer",
    accept_label="Accept",
    decline_label="Decline",
    accepted_heading="Transfer Accepted",
    declined_heading="Transfer Declined",
    owned_as_table=True,
)

ALTERNATE = Layout(
    name="alternate",
    sign_in_heading="Log in to your account",
    email_label="Username or email",
    email_id="login-user",
    continue_label="Next",
    password_label="Your password",
    password_id="login-secret",
    keep_label="Stay logged in on this device",
    keep_id="remember",
    sign_in_label="Log in",
    code_heading="Security check",
    code_label="One-time passcode",
    code_id="otp",
    submit_code_label="Confirm",
    account_heading="Account overview",
    owned_heading="Tickets in your wallet",
    pending_heading="Incoming tickets",
    view_transfer_label="Review",
    transfer_heading="Incoming tickets",
    accept_label="Claim tickets",
    decline_label="Reject",
    accepted_heading="Tickets added to your wallet",
    declined_heading="Tickets returned to sender",
    owned_as_table=False,
)

MODERN = replace(
    NORMAL,
    name="modern",
    sign_in_heading="Sign In",
    account_heading="My Account",
    transfer_heading="Accept Ticket Transfer",
    accept_label="Accept Transfer",
    decline_label="Reject Transfer",
    accepted_heading="Transfer Complete",
    declined_heading="Transfer Rejected",
)
LEGACY = replace(
    NORMAL,
    name="legacy",
    transfer_heading="Ticket Transfer",
    accept_label="Accept Tickets",
    decline_label="Reject Tickets",
    accepted_heading="Tickets Accepted",
)

LAYOUTS = {lay.name: lay for lay in (NORMAL, ALTERNATE, MODERN, LEGACY)}


def with_wording(layout: Layout, wording: Mapping[str, str]) -> Layout:
    """``layout`` with a site's own words for its non-public pages."""
    changes: dict[str, Any] = dict(wording)
    return replace(layout, **changes) if changes else layout
