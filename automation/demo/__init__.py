"""The live demo: every service the product needs, started in order on embedded defaults.

* :mod:`automation.demo.orchestrator` - start/stop the database, sandbox portal, Dovecot,
  localstripe, mail sync, escrow timer, the optional auto worker and the background sender.
* :mod:`automation.demo.seeding` - the seeded queue and the live sender.
* :mod:`automation.demo.selftest` - wait for N transfers to go through the chain; the summary.
"""
