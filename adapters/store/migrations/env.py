"""Alembic environment: runs migrations on the engine the application passes in."""

from alembic import context

from oversight.adapters.store.tables import metadata

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` run by hand: build the engine from the URL
    from oversight.adapters.store.database import make_engine

    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise SystemExit("alembic: set sqlalchemy.url to the store's database URL")
    engine = make_engine(url)

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
