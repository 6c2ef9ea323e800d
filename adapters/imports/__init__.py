"""CSV imports from case-management and HR systems (an inbound adapter).

``oversight import KIND FILE [--dry-run]``: staff, relationships, children's allocations and
historic sessions. A file is applied all or nothing; every bad row is reported with its line,
column and reason; importing the same file again changes nothing. Column names of a source system
map to ours through settings (``OVERSIGHT_IMPORT_COLUMNS``, ``OVERSIGHT_IMPORT_COLUMNS_FILE``).
"""

from oversight.adapters.imports.importing import ImportReport, column_mapping, import_file
from oversight.adapters.imports.kinds import KINDS
from oversight.adapters.imports.rows import ImportRejected, Problem

__all__ = ["KINDS", "ImportRejected", "ImportReport", "Problem", "column_mapping", "import_file"]
