"""argparse value types shared by the commands (clear one-line errors on bad values)."""

from __future__ import annotations

import argparse


def count(value: str) -> int:
    """A whole number, 0 or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def seconds(value: str) -> float:
    """A positive number of seconds."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return number


def port(value: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    number = count(value)
    if number > 65535:
        raise argparse.ArgumentTypeError("a port is at most 65535")
    return number
