"""A small synchronous client of the portal's ``/_admin/`` JSON endpoints (for other processes)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from app.errors import KnownError


class PortalAdminError(KnownError):
    """The sandbox portal is unreachable or refused an admin call."""


class PortalAdminClient:
    """Drive a running sandbox portal over HTTP (``base_url`` like ``http://127.0.0.1:8123``)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One admin call; returns the decoded JSON.

        Raises:
            PortalAdminError: the portal cannot be reached or answered an error.
        """
        data = None if body is None else json.dumps(body, default=str).encode()
        request = urllib.request.Request(
            f"{self.base_url}/_admin{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise PortalAdminError(f"sandbox portal refused {method} {path}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise PortalAdminError(f"sandbox portal at {self.base_url} unreachable: {exc}") from exc

    def create_transfer(self, site: str, recipient_email: str, **details: Any) -> dict[str, Any]:
        """Create a transfer; returns it with ``accept_url`` and ``site_name``."""
        return dict(
            self.call("POST", "/transfers", {"site": site, "recipient_email": recipient_email,
                                             **details})
        )

    def cancel_transfer(self, token: str) -> dict[str, Any]:
        """The sender cancels a transfer."""
        return dict(self.call("POST", f"/transfers/{token}/cancel", {}))

    def set_faults(self, site: str | None = None, **switches: Any) -> dict[str, Any]:
        """Set fault switches globally or for one site."""
        body = {**switches, **({"site": site} if site else {})}
        return dict(self.call("POST", "/faults", body))

    def set_wording(self, site: str, **words: str) -> dict[str, str]:
        """Change the words of a site's accept, confirmation and state pages."""
        return dict(self.call("POST", f"/sites/{site}/wording", dict(words)))

    def transfers(self) -> list[dict[str, Any]]:
        """Every transfer with its state and accept-call count."""
        return list(self.call("GET", "/transfers"))

    def accept_counts(self) -> dict[str, int]:
        """Accept calls per transfer token."""
        return {str(k): int(v) for k, v in self.call("GET", "/accept-counts").items()}

    def reset(self) -> None:
        """Forget transfers, sessions and faults."""
        self.call("POST", "/reset", {})
