"""Verification-code providers for portal sign-in: the mailbox first, then the operator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from app.events import EventBus
from automation.runs.events import Answer, OperatorCodeRequested

if TYPE_CHECKING:  # jobs.py imports this module
    from automation.runs.jobs import RunJob

log = logging.getLogger(__name__)

#: ``wait_for_code(account_email, newer_than, timeout)`` as provided by ``app.mail``.
MailCodeLookup = Callable[[str, datetime, float], "str | None"]


class CodeProvider(Protocol):
    """Produces the verification code the portal just sent, or None when none came."""

    async def get_code(self, account: str, newer_than: datetime) -> str | None:
        """Wait for the code sent to ``account`` after ``newer_than``."""
        ...


class MailboxCodeProvider:
    """Reads the code from the verification email (blocking IMAP lookup in a thread).

    Args:
        lookup: ``wait_for_code(account_email, newer_than, timeout)``.
        timeout: seconds to wait for the email.
    """

    def __init__(self, lookup: MailCodeLookup, timeout: float = 60.0) -> None:
        self._lookup = lookup
        self.timeout = timeout

    async def get_code(self, account: str, newer_than: datetime) -> str | None:
        """The code from the mailbox, or None after the timeout."""
        try:
            return await asyncio.to_thread(self._lookup, account, newer_than, self.timeout)
        except Exception as exc:  # mailbox trouble: fall through to the next provider
            log.warning("reading the verification code from the mailbox failed: %s", exc)
            return None


class OperatorCodeProvider:
    """Asks the operator: publishes :class:`OperatorCodeRequested` and awaits the answer.

    Args:
        bus: where the request goes (the desktop shows a non-modal prompt).
        run_key: the run asking; transfer_id: its transfer.
        timeout: seconds to wait for the operator.
    """

    def __init__(
        self, bus: EventBus, run_key: str, transfer_id: int, timeout: float = 300.0
    ) -> None:
        self._bus = bus
        self._run_key = run_key
        self._transfer_id = transfer_id
        self.timeout = timeout

    async def get_code(self, account: str, newer_than: datetime) -> str | None:
        """The operator's code, or None when declined or unanswered."""
        answer = Answer()
        self._bus.publish(
            OperatorCodeRequested(self._run_key, self._transfer_id, account,
                                  datetime.now(UTC), answer)
        )
        code = await asyncio.to_thread(answer.wait, self.timeout)
        return code.strip() if code else None


class ChainedCodeProvider:
    """Tries each provider in order until one yields a code."""

    def __init__(self, *providers: CodeProvider) -> None:
        self.providers = providers

    async def get_code(self, account: str, newer_than: datetime) -> str | None:
        """The first code any provider returns, else None."""
        for provider in self.providers:
            code = await provider.get_code(account, newer_than)
            if code:
                return code
        return None


def providers_for(
    bus: EventBus, lookup: MailCodeLookup | None, interactive: bool,
    mail_timeout: float = 60.0, operator_timeout: float = 300.0,
) -> Callable[[RunJob], CodeProvider]:
    """``codes_for(job)`` for :class:`~automation.runs.runner.AcceptanceRunner`.

    The mailbox first (when configured), then, on the desktop (``interactive``), the operator.
    """

    def codes_for(job: RunJob) -> CodeProvider:
        chain: list[CodeProvider] = []
        if lookup is not None:
            chain.append(MailboxCodeProvider(lookup, mail_timeout))
        if interactive:
            chain.append(OperatorCodeProvider(bus, job.run_key, job.transfer_id,
                                              operator_timeout))
        return ChainedCodeProvider(*chain)

    return codes_for
