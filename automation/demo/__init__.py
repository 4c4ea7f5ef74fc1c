"""The live demo: every service the product needs, started in order on embedded defaults.

* :mod:`automation.demo.orchestrator` - start/stop the database, sandbox portal, Dovecot,
  localstripe, mail sync, escrow timer, the optional auto worker and the background sender.
* :mod:`automation.demo.seeding` - the seeded queue and the live sender.
* :mod:`automation.demo.transfers` - generated transfers in every state; bulk insert (COPY), also
  for the benchmarks and the tests.
* :mod:`automation.demo.audit` - the audit rows each generated transfer's state implies, written
  in the COPY's transaction (the detail's timeline).
* :mod:`automation.demo.holds` - confirmed manual-capture holds on localstripe for generated
  transfers (test mode only: the marketplace's part in production).
* :mod:`automation.demo.selftest` - wait for N transfers to go through the chain; the summary.
"""
