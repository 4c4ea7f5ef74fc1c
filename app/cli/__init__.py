"""The ``transferdesk`` command: the composition root that wires app, automation and ui."""
