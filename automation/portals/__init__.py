"""Portal adapters: a small protocol, selector profiles as data, the Paciolan adapter."""
