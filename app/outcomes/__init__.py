"""Outcomes out: the append-only outcome feed (filled by a database trigger) and its readers."""
