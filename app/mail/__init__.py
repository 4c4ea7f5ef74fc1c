"""Mail ingest: parse portal emails, sync IMAP mailboxes, match notices to transfers."""
