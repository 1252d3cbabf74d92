"""Alembic environment: runs on the connection the store hands over (or on the configured URL)."""

from alembic import context

from peercoach_lib.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(connection) -> None:
    # Batch mode lets the same migration alter tables on SQLite (by copying) and elsewhere.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    from peercoach_lib.config import database_url
    from peercoach_lib.store.engine import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.begin() as conn:
        _run(conn)
