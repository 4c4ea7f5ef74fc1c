"""Orders in: the order inbox, file imports and cancellations, through one domain service."""
