"""Table models of the desk's side views, each over the core's frozen dataclasses.

* :mod:`ui.models.columns` - the column spec and the one generic read-only table model.
* :mod:`ui.models.escrow_problems`, :mod:`ui.models.dead_letters`, :mod:`ui.models.notices`,
  :mod:`ui.models.import_preview` - one model per table.
"""
