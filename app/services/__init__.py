"""Services: each method is one transaction and returns frozen dataclasses (see docs/domain.md)."""
