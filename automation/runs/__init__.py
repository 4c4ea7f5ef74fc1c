"""Acceptance runs: claim, open, accept, confirm ownership, record the outcome with evidence."""
