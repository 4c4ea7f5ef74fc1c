"""The one place secrets are read and written: the OS keyring, service ``TransferDesk``.

Keys (the keyring "username" field):

- ``portal:<account>``   password of a ticketing-portal account (id or name),
- ``mailbox:<name>``     password of a configured IMAP mailbox,
- ``stripe:test`` / ``stripe:live``   Stripe secret key,
- ``database:<user>``    password of a database login (never in config.toml or the URL),
- ``storage-key``        key that encrypts saved browser storage state (generated on first use).

Only a backend that keeps secrets encrypted by the OS is accepted (Secret Service, KWallet,
macOS Keychain, Windows Credential Locker). Plaintext or file backends (``keyrings.alt``) and the
``fail``/``null`` backends are refused with :class:`KeyringUnavailableError`, as are a locked
keyring and D-Bus errors: nothing is then saved. From a chainer (several backends installed) only
its first secure backend is used, never the others; a chain without one is refused.
Secret values are never logged; log lines name keys only.

``TRANSFERDESK_KEYRING_SERVICE`` overrides the service name (a second install, or tests).
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from typing import Final, Literal

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from app.errors import KnownError

log = logging.getLogger(__name__)

SERVICE: Final = "TransferDesk"
SERVICE_ENV: Final = "TRANSFERDESK_KEYRING_SERVICE"
STORAGE_KEY: Final = "storage-key"
KINDS: Final = ("portal", "mailbox", "stripe", "database", "webhook", "webhook_url")
STRIPE_MODES: Final = ("test", "live")
SECURE_BACKEND_MODULES: Final = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
)
_HOW_TO_FIX: Final = (
    "install and unlock an OS keyring: on Linux gnome-keyring (or KWallet) in your desktop "
    "session, reachable over D-Bus; or select one with PYTHON_KEYRING_BACKEND"
)


def _backend_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the keyring is unusable right now" (locked, D-Bus down, ...)."""
    errors: list[type[BaseException]] = [keyring.errors.KeyringError, OSError]
    try:
        from secretstorage.exceptions import SecretStorageException

        errors.append(SecretStorageException)
    except ImportError:  # not on macOS / Windows
        pass
    try:
        from jeepney.wrappers import DBusErrorResponse

        errors.append(DBusErrorResponse)
    except ImportError:
        pass
    return tuple(errors)


BACKEND_ERRORS: Final = _backend_errors()
# keyring.get_keyring() raises RuntimeError when a forced backend (PYTHON_KEYRING_BACKEND) fails.
_LOAD_ERRORS: Final[tuple[type[BaseException], ...]] = (RuntimeError, *BACKEND_ERRORS)


class KeyringUnavailableError(KnownError):
    """No secure keyring is usable: plaintext/null backend, locked, or D-Bus unreachable."""


class MissingCredentialError(KnownError):
    """A secret that is needed has not been stored yet."""


def portal_key(account: str) -> str:
    """Key of a portal account's password."""
    return f"portal:{_checked_name(account)}"


def mailbox_key(name: str) -> str:
    """Key of a mailbox's password."""
    return f"mailbox:{_checked_name(name)}"


def database_key(user: str) -> str:
    """Key of a database login's password (the user name in ``database_url``)."""
    return f"database:{_checked_name(user)}"


def stripe_key(mode: Literal["test", "live"]) -> str:
    """Key of the Stripe secret key for ``mode``."""
    if mode not in STRIPE_MODES:
        raise ValueError(f"Stripe mode must be 'test' or 'live', not {mode!r}")
    return f"stripe:{mode}"


def webhook_key(name: str) -> str:
    """Key of a webhook endpoint's signing secret."""
    return f"webhook:{_checked_name(name)}"


def webhook_url_key(name: str) -> str:
    """Key of a webhook URL that carries its own token (e.g. a Slack incoming webhook)."""
    return f"webhook_url:{_checked_name(name)}"


def credential_key(kind: str, name: str) -> str:
    """Key for ``kind`` (portal, mailbox, stripe, database, webhook, webhook_url) and ``name``.

    Raises:
        ValueError: unknown kind, empty name, or a Stripe mode other than test/live.
    """
    if kind == "portal":
        return portal_key(name)
    if kind == "mailbox":
        return mailbox_key(name)
    if kind == "database":
        return database_key(name)
    if kind == "webhook":
        return webhook_key(name)
    if kind == "webhook_url":
        return webhook_url_key(name)
    if kind == "stripe":
        if name not in STRIPE_MODES:
            raise ValueError(f"Stripe mode must be 'test' or 'live', not {name!r}")
        return stripe_key("test" if name == "test" else "live")
    raise ValueError(f"unknown credential kind {kind!r} (one of {', '.join(KINDS)})")


def _checked_name(name: str) -> str:
    if not name or not name.strip() or "\n" in name:
        raise ValueError("a credential name must be non-empty and on one line")
    return name


def default_service() -> str:
    """The keyring service name: ``TransferDesk`` unless ``TRANSFERDESK_KEYRING_SERVICE`` is set."""
    return os.environ.get(SERVICE_ENV) or SERVICE


def backend_name(backend: KeyringBackend) -> str:
    """Fully qualified class name of a keyring backend, e.g. for ``credentials check``."""
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_secure(backend: KeyringBackend) -> bool:
    return type(backend).__module__.startswith(SECURE_BACKEND_MODULES)


def check_backend(backend: KeyringBackend | None = None, *, probe: bool = False) -> KeyringBackend:
    """Return the active keyring backend if it keeps secrets safely.

    Args:
        backend: the backend to check; the active one (``keyring.get_keyring()``) by default.
        probe: also read a dummy entry, so a locked keyring or dead D-Bus is reported now.

    Raises:
        KeyringUnavailableError: plaintext, file, fail or null backend, a chainer without a
            secure backend, or (with ``probe``) a keyring that cannot be used.

    Returns:
        The backend to use: the given/active one, or a chainer's first secure backend.
    """
    if backend is None:
        try:
            backend = keyring.get_keyring()
        except (ImportError, ValueError, AttributeError) as exc:  # a misnamed forced backend
            raise _unloadable(exc) from exc
        except _LOAD_ERRORS as exc:
            raise _unavailable("default backend", exc) from exc
    name = backend_name(backend)
    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        secure = [part for part in chained if _is_secure(part)]
        if not secure:
            unsafe = ", ".join(backend_name(part) for part in chained) or "no backend"
            raise KeyringUnavailableError(
                f"no usable keyring backend (chain of {unsafe}): none keeps secrets encrypted "
                f"by the OS; {_HOW_TO_FIX}"
            )
        backend, name = secure[0], backend_name(secure[0])  # never read/write the rest
    elif not _is_secure(backend):
        raise KeyringUnavailableError(
            f"refusing keyring backend {name}: it does not keep secrets encrypted by the OS "
            f"(plaintext, file or no storage); {_HOW_TO_FIX}"
        )
    if probe:
        try:
            backend.get_password(default_service(), "__transferdesk_probe__")
        except BACKEND_ERRORS as exc:
            raise _unavailable(name, exc) from exc
    return backend


def _unloadable(exc: BaseException) -> KeyringUnavailableError:
    forced = os.environ.get("PYTHON_KEYRING_BACKEND", "")
    detail = str(exc).strip() or type(exc).__name__
    if not forced:
        return _unavailable("default backend", exc)
    return KeyringUnavailableError(
        f"PYTHON_KEYRING_BACKEND={forced!r} cannot be loaded ({detail}); name an installed "
        "backend class (module.Class, e.g. keyring.backends.SecretService.Keyring) or unset it"
    )


def _unavailable(name: str, exc: BaseException) -> KeyringUnavailableError:
    detail = str(exc).strip() or type(exc).__name__
    return KeyringUnavailableError(
        f"the OS keyring ({name}) is locked or unreachable ({detail}); unlock it (sign in to the "
        "desktop session) or start it, then try again; nothing was saved"
    )


class CredentialStore:
    """Get, set and delete TransferDesk's secrets in the OS keyring.

    Every call checks the backend first, so a plaintext backend is refused before any secret
    reaches it. Calls block (D-Bus round-trips): run them in the executor, not on the GUI loop.
    """

    def __init__(self, service: str | None = None, backend: KeyringBackend | None = None) -> None:
        self.service = service or default_service()
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        """The checked backend (the active one unless given to the constructor)."""
        return check_backend(self._backend)

    def get(self, key: str) -> str | None:
        """Return the secret stored under ``key``, or None."""
        backend = self.backend
        try:
            return backend.get_password(self.service, key)
        except BACKEND_ERRORS as exc:
            raise _unavailable(backend_name(backend), exc) from exc

    def require(self, key: str) -> str:
        """Return the secret under ``key``; raise MissingCredentialError naming the fix if none."""
        value = self.get(key)
        if value is None:
            kind, _, name = key.partition(":")
            raise MissingCredentialError(
                f"no secret stored for {key}: run `transferdesk credentials set {kind} {name}`"
            )
        return value

    def set(self, key: str, secret: str) -> None:
        """Store ``secret`` under ``key`` (replacing any previous one)."""
        if not secret:
            raise ValueError(f"refusing to store an empty secret for {key}")
        backend = self.backend
        try:
            backend.set_password(self.service, key, secret)
        except BACKEND_ERRORS as exc:
            raise _unavailable(backend_name(backend), exc) from exc
        log.info("stored secret %s in the keyring (%s)", key, backend_name(backend))

    def delete(self, key: str) -> bool:
        """Remove the secret under ``key``; return False if there was none."""
        backend = self.backend
        try:
            if backend.get_password(self.service, key) is None:
                return False
            backend.delete_password(self.service, key)
        except BACKEND_ERRORS as exc:
            raise _unavailable(backend_name(backend), exc) from exc
        log.info("deleted secret %s from the keyring", key)
        return True

    def storage_key(self) -> str:
        """The browser storage-state key (Fernet format), generated and stored on first use."""
        existing = self.get(STORAGE_KEY)
        if existing is not None:
            return existing
        generated = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
        self.set(STORAGE_KEY, generated)
        return generated
