"""Every SQL statement of the app lives here; services own sessions and transactions."""
