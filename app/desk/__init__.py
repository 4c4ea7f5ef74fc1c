"""The desk's side of the core: what the desktop asks of app/ (Qt-free, tested without Qt)."""
