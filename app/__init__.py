"""TransferDesk core: configuration, domain, database, mail, escrow, credentials, services.

Nothing in this package imports Qt or Playwright (an import-linter contract enforces it).
"""

from importlib import metadata

try:
    __version__ = metadata.version("transferdesk")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
