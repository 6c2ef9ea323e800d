"""The one ``MetaData`` every table of the store is declared on (``tables`` and
``access_tables``), so migrations and checks see a single schema."""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData()
