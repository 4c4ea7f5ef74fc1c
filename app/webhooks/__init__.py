"""Signed webhooks: outcome events and staff alerts, delivered at least once, in order per
transfer, with retries for about three days and dead letters that staff can resend."""
