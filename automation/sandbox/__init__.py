"""Local stand-ins for the outside world: mailbox (Dovecot), payments (localstripe), portal."""
