"""The store adapter names its library's errors as the application's (adapters/store/faults.py),
so the CLI prints one line without importing SQLAlchemy."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError

from oversight.adapters.store.faults import store_fault
from oversight.states.errors import StoreUnreachable, StoreUnusable

POSTGRES = "postgresql+psycopg://u:p@db.example:5433/store"
REFUSED = Exception('connection to server at "db.example" (10.0.0.7), port 5433 failed: '
                    "Connection refused")


def test_a_connection_refused_by_a_database_server_names_its_host_and_port():
    """No statement ran, the URL names a host: StoreUnreachable, host:port and the reason."""
    fault = store_fault(OperationalError(None, None, REFUSED), POSTGRES)
    assert isinstance(fault, StoreUnreachable)
    assert str(fault) == (
        "the store's database server at db.example:5433 could not be reached (Connection "
        "refused): check that the server runs and takes connections from this machine, and "
        "that OVERSIGHT_DATABASE_URL names its host, port and database")


def test_a_failed_statement_is_the_stores_fault_not_the_wires():
    """An OperationalError of a statement says the store could not be used, with the driver's
    line, and to run init."""
    fault = store_fault(OperationalError("SELECT 1", {}, Exception("no such table: meta")),
                        POSTGRES)
    assert type(fault) is StoreUnusable
    assert str(fault) == ("the store could not be used (OperationalError: no such table: "
                          "meta); check OVERSIGHT_HOME / OVERSIGHT_DATABASE_URL, then run "
                          "`oversight init`")


def test_a_sqlite_store_is_never_a_server_that_could_not_be_reached():
    """A file has no host: even a failed connect is the store that could not be used."""
    fault = store_fault(OperationalError(None, None, Exception("unable to open database file")),
                        "sqlite:////nowhere/oversight.db")
    assert type(fault) is StoreUnusable
    assert "(OperationalError: unable to open database file)" in str(fault)


def test_settings_that_could_not_be_read_still_give_the_stores_line():
    """No URL known (the settings' own fault): the store could not be used, never a host."""
    fault = store_fault(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")),
                        None)
    assert type(fault) is StoreUnusable
    assert str(fault).startswith("the store could not be used (IntegrityError: UNIQUE "
                                 "constraint failed);")


def test_an_error_that_is_not_the_databases_is_left_to_the_caller():
    """A ValueError is nobody's store fault: None, and the edge lets it through."""
    assert store_fault(ValueError("not mine"), POSTGRES) is None
