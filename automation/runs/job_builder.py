"""From claims to runnable jobs: the claimed transfer, its portal account and password.

:class:`JobBuilder` is how a worker or the desk turns a :class:`~app.domain.records.Claim` into
a :class:`~automation.runs.jobs.RunJob`; a claim whose job cannot be built is closed at once.
"""

from __future__ import annotations

from app.domain.errors import NotFoundError
from app.domain.records import Claim
from app.errors import KnownError
from app.services.claims import ClaimService
from automation.portals.protocol import PortalCredentials, TransferTarget
from automation.runs.accounts import PortalAccounts, PortalPasswords
from automation.runs.jobs import RunJob
from automation.runs.outcomes import Outcome


class JobBuilder:
    """Claims transfers and builds their jobs.

    Args:
        claims: the claim service (lease, attempts, breaker).
        accounts: the portal account directory.
        passwords: the keyring's portal passwords.
    """

    def __init__(self, claims: ClaimService, accounts: PortalAccounts,
                 passwords: PortalPasswords) -> None:
        self.claims = claims
        self.accounts = accounts
        self.passwords = passwords

    def job_for(self, claim: Claim) -> RunJob:
        """The runnable job of a claim.

        Raises:
            MissingCredentialError / NotFoundError: the account is not usable.
        """
        full = claim.transfer
        row = full.row
        if row.account_id is None:
            raise NotFoundError("portal account of transfer", row.id)
        account = self.accounts.account(row.account_id)
        target = TransferTarget(
            transfer_id=row.id,
            accept_url=full.accept_url,
            transfer_ref=full.transfer_ref,
            event_name=row.event_name,
            section=row.section,
            row=row.row,
            seats=tuple(row.seats),
        )
        credentials = PortalCredentials(account.site_url, account.username,
                                        self.passwords.password_for(account))
        return RunJob(row.id, claim.worker, claim.attempt, row.platform or account.platform,
                      credentials, target, run_id=claim.run_id, profile=account.profile)

    def claim_job(self, worker: str, transfer_id: int | None = None) -> RunJob | None:
        """Claim (the next due transfer, or exactly ``transfer_id``) and build its job.

        A claim whose job cannot be built (no password in the keyring, no account) is closed
        at once as ``login_failed`` (needs_review, with the reason) and the error re-raised.

        Raises:
            DomainError: ``transfer_id`` cannot be claimed (and why).
            MissingCredentialError / NotFoundError: the account is not usable.
        """
        claim = self.claims.claim(worker, transfer_id)
        if claim is None:
            return None
        try:
            return self.job_for(claim)
        except KnownError as exc:
            self.claims.record_outcome(claim.run_id, worker, Outcome.LOGIN_FAILED, str(exc))
            raise
