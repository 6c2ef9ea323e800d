"""A council's SSD reporting database, read for ``oversight import ssd`` (an inbound adapter of
a source system, like the CSV files of :mod:`oversight.adapters.imports`; never the store).

Any SQLAlchemy URL: SQL Server (``mssql+pyodbc://…?driver=ODBC+Driver+18+for+SQL+Server``),
which most councils run, PostgreSQL or SQLite. Each table is read with one SELECT that names only
the columns the import uses, so a name, a date of birth or an address never leaves the database.
"""

from __future__ import annotations

from typing import Any

from oversight.states.errors import OversightError

Records = dict[str, list[dict[str, Any]]]
"""Every table read → its records, each the chosen columns (lower-case names) → the value as the
database gave it; the import makes its rows of them (:mod:`oversight.adapters.imports.ssd`)."""


def read_tables(url: str, columns: dict[str, tuple[str, ...]], keys: dict[str, str]) -> Records:
    """Each table of ``columns`` with those of its columns the database has (a column it lacks
    is read as empty; a table it lacks, as no rows), in the order of its key ``keys[table]``."""
    from sqlalchemy import MetaData, Table, create_engine, select
    from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError
    from sqlalchemy.pool import NullPool

    try:
        engine = create_engine(url, poolclass=NullPool)
    except (SQLAlchemyError, ValueError, ImportError) as error:
        raise OversightError(f"the SSD database URL cannot be used: {error}") from None
    extract: Records = {}
    try:
        with engine.connect() as connection:
            for table, wanted in columns.items():
                try:
                    found = Table(table, MetaData(), autoload_with=connection)
                except NoSuchTableError:
                    extract[table] = []
                    continue
                names = {column.name.lower(): column for column in found.columns}
                if keys[table] not in names:
                    raise OversightError(f"{table}: no column {keys[table]} (the table's key)")
                chosen = [names[name] for name in wanted if name in names]
                query = select(*chosen).order_by(names[keys[table]])
                extract[table] = [
                    {column.name.lower(): value
                     for column, value in zip(chosen, record, strict=True)}
                    for record in connection.execute(query)]
    except SQLAlchemyError as error:
        raise OversightError(f"the SSD database cannot be read: "
                             f"{str(error).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return extract


__all__ = ["Records", "read_tables"]
