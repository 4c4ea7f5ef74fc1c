"""Error hierarchy shared by every layer.

``KnownError`` is an environment problem a user can fix (database unreachable, keyring locked,
PostgreSQL not installed): the CLI prints its message on one line and the GUI shows a friendly
dialog. Anything else is a bug and gets a traceback / crash dialog.
"""


class KnownError(Exception):
    """A problem in the environment or the input, with a message fit for the user."""


class ConfigError(KnownError):
    """The configuration file or environment holds an invalid value."""


class DependencyMissingError(KnownError):
    """A program TransferDesk needs (PostgreSQL, Dovecot, a browser) is not installed."""
