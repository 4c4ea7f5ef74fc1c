"""One acceptance run: sign in, open, accept, confirm ownership, record the outcome.

Runs execute on the browser service's loop. Each step is announced with StepStarted /
StepFinished events, frames stream to the panel, and whatever happens the run ends with one
classified outcome, a screenshot, a Playwright trace and a :class:`RunFinished` event.

Password safety: tracing never runs while signing in. The run signs in first (untraced), then
starts the trace; if the session lapses mid-run, the trace is stopped and saved, the sign-in
runs untraced and a new trace starts (tracing stops completely: a paused chunk would still buffer
the sign-in's network entries; a test scans every trace for the password). Screenshots mask
every password field. Traces are stored without cookies, Set-Cookie, authorization and token
headers (:func:`automation.browser.trace_scrub.scrub_trace`), and the run never leaves the
account's registered site (:class:`automation.runs.site_guard.SiteGuard`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from app.events import EventBus
from app.urls import redact_text
from automation.browser.screencast import Screencast
from automation.browser.service import AccountSession, BrowserService
from automation.browser.trace_scrub import scrub_trace
from automation.journal import EvidenceItem, FinishedRun
from automation.portals.paciolan import PaciolanAdapter
from automation.portals.profile import load_profile
from automation.portals.protocol import (
    ChallengeShownError,
    PageKind,
    SignInRequiredError,
)
from automation.portals.snapshot import SANITIZED_PREFIX, sanitized_html_of
from automation.runs.events import (
    Answer,
    Frame,
    LogLine,
    RunFinished,
    StepFinished,
    StepStarted,
    TakeoverRequested,
)
from automation.runs.jobs import (
    AbortSignal,
    AdapterFor,
    CodeProviderFor,
    OutcomeRecorder,
    RunJob,
    RunnerOptions,
    RunResult,
)
from automation.runs.outcomes import Outcome, RunFailedError
from automation.runs.ratelimit import AccountRateLimiter
from automation.runs.site_guard import SiteGuard

__all__ = ["AbortSignal", "AcceptanceRunner", "RunJob", "RunResult", "RunnerOptions"]

log = logging.getLogger(__name__)
FULL_PAGE_SHOT_MAX_PX = 4000
"""Pages taller than this are shot as the viewport (see :func:`_fits_one_shot`)."""

#: A challenge an operator passed that stays or comes back: the site refuses this browser. Policy:
#: never evade bot detection (no stealth, fingerprint patching, automation-flag removal, CAPTCHA
#: solvers, proxy rotation); stop and hand the transfer to a person in their own browser.
_CHALLENGE_STAYS = ("the bot challenge was not cleared or came back after an operator passed it: "
                    "the site refuses this automated browser")

#: After a run that did not sign in, the storage state is saved again only when the last save of
#: the account is older than this (a sign-in always saves; closing the session saves too).
SESSION_SAVE_INTERVAL = 60.0


class AcceptanceRunner:
    """Runs jobs on the browser service's loop and records their outcomes.

    Args:
        service: the started browser service.
        bus: where live events go.
        adapter_for: ``(platform, site_url) -> PortalAdapter``.
        codes_for: the verification-code provider for a job.
        recorder: writes each :class:`FinishedRun` (database, else journal).
        limiter: per-account pacing.
        options: tracing, frames, interactive takeover.
    """

    def __init__(
        self,
        service: BrowserService,
        bus: EventBus,
        adapter_for: AdapterFor,
        codes_for: CodeProviderFor,
        recorder: OutcomeRecorder,
        limiter: AccountRateLimiter | None = None,
        options: RunnerOptions | None = None,
    ) -> None:
        self.service = service
        self.bus = bus
        self.adapter_for = adapter_for
        self.codes_for = codes_for
        self.recorder = recorder
        self.limiter = limiter or AccountRateLimiter(0)
        self.options = options or RunnerOptions()
        self.saved_at: dict[str, float] = {}  # account key -> monotonic time of the last save

    def submit(
        self, job: RunJob, abort: AbortSignal | None = None
    ) -> concurrent.futures.Future[RunResult]:
        """Schedule ``job`` from another thread (the GUI loop, a worker's main thread)."""
        return self.service.submit(self.run(job, abort or AbortSignal()))

    async def run(self, job: RunJob, abort: AbortSignal) -> RunResult:
        """Run ``job`` to one outcome (never raises for portal trouble)."""
        session = await self.service.session(job.account_key)
        async with session.lock:  # the browser part: one run per account at a time
            run = _Run(self, job, abort, session)
            outcome, detail = await run.execute()
        return await run.record(outcome, detail)  # overlaps with the account's next run


class _Run:
    """State of one run in progress (one per :meth:`AcceptanceRunner.run`)."""

    def __init__(
        self, runner: AcceptanceRunner, job: RunJob, abort: AbortSignal, session: AccountSession
    ) -> None:
        self.runner = runner
        self.job = job
        self.abort = abort
        self.session = session
        self.adapter = runner.adapter_for(job.platform, job.credentials.site_url)
        if job.profile and isinstance(self.adapter, PaciolanAdapter):
            self.adapter.use_profile(load_profile(job.profile))  # the account's choice wins
        self.codes = runner.codes_for(job)
        self.started_at = datetime.now(UTC)
        self.guard = SiteGuard(job.credentials.site_url, job.credentials.password)
        self.evidence: list[EvidenceItem] = []
        self.tracing = False
        self.trace_parts = 0
        self.signed_in = False
        self.page: Page | None = None
        self.screencast: Screencast | None = None
        self.challenge_handed_back = False  # an operator passed a bot challenge in this run

    # -- events ----------------------------------------------------------------------------

    def log(self, message: str, level: str = "INFO") -> None:
        message = redact_text(message)
        self.runner.bus.publish(
            LogLine(self.job.run_key, self.job.transfer_id, datetime.now(UTC), level, message)
        )
        log.log(logging.getLevelName(level), "transfer %s: %s", self.job.transfer_id, message)

    def _frame(self, jpeg: bytes) -> None:
        self.runner.bus.publish(
            Frame(self.job.run_key, self.job.transfer_id, datetime.now(UTC), jpeg)
        )

    async def step(
        self, name: str, action: Callable[[], Awaitable[None]], paced: bool = True
    ) -> None:
        """Run one step with events, pacing, abort checks and one re-sign-in on expiry.

        ``paced=False``: the step starts without waiting for the account's limiter (only for a
        step that sends nothing to the portal, e.g. reusing a session verified moments ago).
        """
        if self.abort.aborted:
            raise RunFailedError(Outcome.ABORTED, f"aborted before {name}")
        bus, job = self.runner.bus, self.job
        bus.publish(StepStarted(job.run_key, job.transfer_id, name, datetime.now(UTC)))
        ok, detail = False, ""
        try:
            if paced:
                await self.runner.limiter.wait(job.account_key)
            handed_over = False
            for _ in range(3):
                try:
                    self.guard.watch(self._page())  # a takeover brings a new page
                    await action()
                    break
                except SignInRequiredError:
                    self.log(f"the portal session expired during {name}; signing in again")
                    await self.sign_in_untraced(force=True)
                except ChallengeShownError:
                    if self.challenge_handed_back:  # not cleared, or back: the site refuses us
                        raise RunFailedError(Outcome.BLOCKED, _CHALLENGE_STAYS) from None
                    await self._takeover(RunFailedError(
                        Outcome.BOT_CHALLENGE,
                        "the portal shows a bot challenge that a human must pass"))
                except RunFailedError as exc:  # an unexpected page: a human may finish the step
                    if exc.outcome is not Outcome.SELECTOR_DRIFT or handed_over:
                        raise
                    handed_over = True
                    await self._takeover(exc)
                await self.runner.limiter.wait(job.account_key)
            else:
                raise RunFailedError(Outcome.PORTAL_ERROR, f"{name} kept being interrupted")
            self.guard.check_page(self._page(), f"go on after {name}")
            ok = True
        except RunFailedError as exc:
            detail = exc.detail
            raise
        except PlaywrightError:  # e.g. a navigation the guard aborted: say why
            self.guard.raise_if_violated()
            raise
        finally:
            bus.publish(StepFinished(job.run_key, job.transfer_id, name, datetime.now(UTC),
                                     ok, redact_text(detail)))

    # -- the run ---------------------------------------------------------------------------

    async def execute(self) -> tuple[Outcome, str]:
        """The browser part: steps, evidence, session bookkeeping."""
        job = self.job
        self.log(f"run {job.run_key[:8]} for transfer {job.transfer_id}, attempt {job.attempt}")
        outcome, detail = Outcome.PORTAL_ERROR, ""
        try:
            self._use_page(await self.session.page())
            await self._start_screencast()
            outcome, detail = await self._steps()
        except RunFailedError as exc:
            outcome, detail = exc.outcome, exc.detail
        except PlaywrightTimeout as exc:
            outcome, detail = Outcome.TIMEOUT, _first_line(exc)
        except PlaywrightError as exc:
            outcome, detail = Outcome.PORTAL_ERROR, _first_line(exc)
        except Exception as exc:  # a bug must still end the run with an outcome
            log.exception("run of transfer %s failed unexpectedly", job.transfer_id)
            outcome, detail = Outcome.PORTAL_ERROR, f"internal error: {_first_line(exc)}"
        if self.guard.violation is not None:  # whatever failed after it, this is the outcome
            outcome, detail = Outcome.UNTRUSTED_LINK, self.guard.violation
        detail = redact_text(detail)
        self.log(f"outcome: {outcome.value}{': ' + detail if detail else ''}",
                 "INFO" if outcome in (Outcome.ACCEPTED, Outcome.ALREADY_ACCEPTED) else "WARNING")
        await self._collect_evidence(outcome)
        await self._stop_screencast()
        await self._back_to_default_mode()
        if outcome in (Outcome.ACCEPTED, Outcome.ALREADY_ACCEPTED):
            self.session.verified_at = time.monotonic()
            await self._save_session(due_only=True)
        else:
            self.session.verified_at = 0.0
        return outcome, detail

    async def _back_to_default_mode(self) -> Page | None:
        """After a takeover the account's session returns to the usual (headless) browser.

        Returns:
            The session's new page, or None when nothing moved.
        """
        service = self.runner.service
        if self.session.headless == service.settings.headless:
            return None
        try:
            return await service.move_session(self.session, service.settings.headless)
        except PlaywrightError as exc:
            self.log(f"could not return the session to the headless browser: {_first_line(exc)}",
                     "WARNING")
            return None

    async def record(self, outcome: Outcome, detail: str) -> RunResult:
        """Record the outcome (database, else journal) and announce :class:`RunFinished`."""
        job = self.job
        recorder = self.runner.recorder
        if outcome is Outcome.ABORTED and self.abort.release_claim:
            await asyncio.to_thread(recorder.release, job, "worker stopping")
            status, journaled = "released", False
        else:
            record = FinishedRun(
                job.run_key, job.run_id, job.transfer_id, job.worker, outcome.value, detail,
                self.started_at, datetime.now(UTC), tuple(self.evidence),
                job.credentials.site_url,
            )
            status, journaled = await asyncio.to_thread(recorder, record)
        detected = getattr(self.adapter, "detected", None)
        if detected and not job.profile:  # first sign-in's choice
            await asyncio.to_thread(recorder.remember_profile, job, detected)
        self.runner.bus.publish(RunFinished(job.run_key, job.transfer_id, datetime.now(UTC),
                                            outcome, detail, status, journaled))
        return RunResult(job.run_key, job.transfer_id, outcome, detail, status, journaled,
                         self.signed_in)

    async def _steps(self) -> tuple[Outcome, str]:
        adapter, target = self.adapter, self.job.target
        await self.step("sign_in", lambda: self.sign_in_untraced(force=False),
                        paced=not self._session_trusted())
        if (detected := getattr(adapter, "detected", None)) and not self.job.profile:
            self.log(f"portal profile for this site: {detected} (its sign-in markers match)")
        await self._start_trace()
        kinds: list[PageKind] = []

        async def open_transfer() -> None:
            if target.accept_url:
                self.guard.check_link(target.accept_url, "open the accept link")
            kinds.append(await adapter.open_transfer(self._page(), target))

        await self.step("open_transfer", open_transfer)
        kind = kinds[-1]
        if kind is PageKind.TRANSFER_PENDING:
            await self.step("accept", lambda: adapter.accept(self._page(), target))
            outcome = Outcome.ACCEPTED
        elif kind in (PageKind.TRANSFER_ACCEPTED, PageKind.CONFIRMATION):
            self.log("the portal shows this transfer as already accepted")
            outcome = Outcome.ALREADY_ACCEPTED
        else:
            raise RunFailedError(*_failure_for(kind))
        await self.step(
            "confirm_ownership", lambda: adapter.confirm_ownership(self._page(), target)
        )
        return outcome, "seats seen in My Account"

    async def _takeover(self, problem: RunFailedError) -> None:
        """A human takes over in the desktop; a headless worker gives up with ``problem``.

        Used for a bot challenge and for a page the profile does not recognise (selector
        drift: once per step, so a drifted profile still ends as selector_drift).
        """
        if not self.runner.options.interactive:
            raise problem
        reason = problem.detail
        if problem.outcome is Outcome.SELECTOR_DRIFT:
            reason = f"the page is not what the run expects ({reason})"
        await self._stop_trace()
        await self._stop_screencast()
        self._use_page(await self.runner.service.move_session(self.session, headless=False))
        await self._start_screencast()
        answer = Answer()
        self.abort.watch(answer)
        self.log("paused: " + reason + "; waiting for an operator to take over", "WARNING")
        self.runner.bus.publish(TakeoverRequested(
            self.job.run_key, self.job.transfer_id, reason, datetime.now(UTC), answer))
        reply = await asyncio.to_thread(answer.wait, self.runner.options.takeover_timeout)
        if self.abort.aborted:
            raise RunFailedError(Outcome.ABORTED, "aborted during takeover")
        if not reply:
            raise RunFailedError(
                problem.outcome, f"{problem.detail} (takeover declined or timed out)"
            )
        self.log("the operator handed control back")
        if problem.outcome is Outcome.BOT_CHALLENGE:
            self.challenge_handed_back = True
        # One controller at a time: the headed window closes and the run goes on headless.
        await self._stop_screencast()
        self._use_page(await self._back_to_default_mode() or self._page())
        await self._start_screencast()
        await self._start_trace()

    async def sign_in_untraced(self, force: bool) -> None:
        """Sign in with tracing paused, so no password ever lands in a trace."""
        page = self._page()
        self.guard.check_page(page, "sign in")
        resume = self.tracing
        await self._stop_trace()
        credentials = self.job.credentials
        if not force and self._session_trusted():
            self.log("reusing the session (signed in moments ago)")
            if resume:
                await self._start_trace()
            return
        async with self.guard.blocking(page):  # the password goes to the site only
            if force:
                await self.adapter.sign_in(page, credentials, self.codes)
                did = True
            else:
                did = await self.adapter.ensure_signed_in(page, credentials, self.codes)
        if did:
            self.signed_in = True
            self.log(f"signed in as {credentials.username}")
            await self._save_session(due_only=False)
        else:
            self.log("reusing the saved session")
        if resume:
            await self._start_trace()

    def _session_trusted(self) -> bool:
        """True when the portal showed this session signed in moments ago (no check needed)."""
        age = time.monotonic() - self.session.verified_at
        return age < self.runner.options.session_trust_seconds

    async def _save_session(self, due_only: bool) -> None:
        """Persist the storage state (encrypted); ``due_only``: skip if saved moments ago."""
        key, saved_at = self.job.account_key, self.runner.saved_at
        if due_only and time.monotonic() - saved_at.get(key, float("-inf")) < SESSION_SAVE_INTERVAL:
            return
        await self.runner.service.save_session(key)
        saved_at[key] = time.monotonic()

    # -- evidence --------------------------------------------------------------------------

    def _use_page(self, page: Page) -> None:
        """Drive ``page`` from now on, with the run's step timeout."""
        page.set_default_timeout(
            self.runner.options.timeout_ms or self.runner.service.default_timeout_ms
        )
        self.page = page

    def _page(self) -> Page:
        assert self.page is not None
        return self.page

    async def _start_screencast(self) -> None:
        if self.runner.options.live_frames and self.page is not None:
            self.screencast = Screencast(self.page, self._frame)
            await self.screencast.start()

    async def _stop_screencast(self) -> None:
        screencast, self.screencast = self.screencast, None
        if screencast is not None:
            await screencast.stop()

    async def _start_trace(self) -> None:
        if not self.runner.options.trace or self.tracing:
            return
        await self.session.context.tracing.start(
            screenshots=True, snapshots=True, title=self.job.run_key
        )
        self.tracing = True

    async def _stop_trace(self) -> None:
        """Stop tracing completely (a paused chunk would still buffer network entries)."""
        if not self.tracing:
            return
        self.tracing = False
        self.trace_parts += 1
        with tempfile.TemporaryDirectory(prefix="td-trace-") as tmp:
            path = Path(tmp) / "trace.zip"
            try:
                await self.session.context.tracing.stop(path=path)
                cookies = [c.get("value", "") for c in await self.session.context.cookies()]
                content = await asyncio.to_thread(scrub_trace, path.read_bytes(), cookies)
            except (PlaywrightError, OSError, ValueError, zipfile.BadZipFile) as exc:
                self.log(f"trace could not be saved: {_first_line(exc)}", "WARNING")
                return
        name = f"trace-{self.job.transfer_id}-{self.job.run_key[:8]}-{self.trace_parts}.zip"
        self.evidence.append(EvidenceItem("trace", name, "application/zip", content))

    async def _collect_evidence(self, outcome: Outcome) -> None:
        page = self.page
        if self.runner.options.screenshot and page is not None and not page.is_closed():
            try:
                shot = await page.screenshot(
                    type="png", full_page=await _fits_one_shot(page),
                    mask=[page.locator("input[type=password]")],
                )
                name = f"{outcome.value}-{self.job.transfer_id}-{self.job.run_key[:8]}.png"
                self.evidence.append(EvidenceItem("screenshot", name, "image/png", shot))
            except PlaywrightError as exc:
                self.log(f"screenshot failed: {_first_line(exc)}", "WARNING")
        keep_page = outcome in (Outcome.SELECTOR_DRIFT, Outcome.BLOCKED)  # markup + reference id
        if keep_page and page is not None and not page.is_closed():
            await self._attach_sanitized_page(page)
        await self._stop_trace()

    async def _attach_sanitized_page(self, page: Page) -> None:
        """The drifted page's markup, scrubbed (automation.portals.snapshot), for the profile
        editor: the drift alarm names it."""
        creds = self.job.credentials
        try:
            html = await sanitized_html_of(page, [creds.password, creds.username])
        except PlaywrightError as exc:
            self.log(f"page snapshot failed: {_first_line(exc)}", "WARNING")
            return
        name = f"{SANITIZED_PREFIX}{self.job.transfer_id}-{self.job.run_key[:8]}.html"
        self.evidence.append(EvidenceItem("upload", name, "text/plain", html.encode()))


async def _fits_one_shot(page: Page) -> bool:
    """True when the whole page is short enough for one full-page screenshot.

    A very long page (an account listing a thousand transfers) takes seconds to capture and
    encode and can time out; it is shot as the viewport, where the run left what it proves.
    """
    try:
        height = await page.evaluate("() => document.documentElement.scrollHeight")
    except PlaywrightError:
        return False
    return isinstance(height, int | float) and height <= FULL_PAGE_SHOT_MAX_PX


def _failure_for(kind: PageKind) -> tuple[Outcome, str]:
    mapping: dict[PageKind, tuple[Outcome, str]] = {
        PageKind.TRANSFER_EXPIRED: (Outcome.EXPIRED_ON_PORTAL, "the portal says it expired"),
        PageKind.TRANSFER_CANCELLED: (
            Outcome.CANCELLED_BY_SENDER, "the sender cancelled the transfer"),
        PageKind.TRANSFER_DECLINED: (Outcome.NOT_FOUND, "the transfer was declined earlier"),
        PageKind.NOT_FOUND: (Outcome.NOT_FOUND, "the portal does not know this transfer"),
        PageKind.BOT_CHALLENGE: (Outcome.BOT_CHALLENGE, "bot challenge"),
        PageKind.BLOCKED: (Outcome.BLOCKED, "the portal refuses automated browsers"),
        PageKind.SERVER_ERROR: (Outcome.PORTAL_ERROR, "the portal returned a server error"),
        PageKind.LOCKED: (Outcome.LOGIN_FAILED, "the portal account is locked"),
    }
    return mapping.get(kind, (Outcome.SELECTOR_DRIFT, f"unexpected page ({kind.value})"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
