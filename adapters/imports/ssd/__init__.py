"""``oversight import ssd SOURCE``: a council's Standard Safeguarding Dataset extract (Data to
Insight's SSD, the tables its extract scripts write) applied as history, judged by event time.

:mod:`.tables` reads the tables (CSV folder or database), :mod:`.checks` finds every fault,
:mod:`.history` turns rows into events with ids made from the SSD's row ids, :mod:`.importing`
applies them (added, amended, retracted, left) and :mod:`.synthetic` writes a realistic extract
to try it on. The row-to-event table is in ``docs/ssd-import.md``.
"""

from oversight.adapters.imports.ssd.importing import ExtractRejected, SsdReport, import_ssd

__all__ = ["ExtractRejected", "SsdReport", "import_ssd"]
