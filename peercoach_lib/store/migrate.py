"""Schema versions: the store brings a database up to the newest version when it opens it."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from peercoach_lib.errors import ConfigurationError
from peercoach_lib.store.engine import WRITE

SCRIPT_LOCATION = "peercoach_lib.store:migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _scripts().get_current_head()


def revisions() -> list[str]:
    """Every schema version, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, target: str = "head") -> None:
    """Bring the database to ``target``; a no-op (one small read) when it is there already.

    Several processes may open a new database at once: the migration runs under the write lock
    and looks at the version again once it holds it, so only the first one migrates.
    """
    wanted = head_revision() if target == "head" else target
    current = current_revision(engine)
    if current == wanted:
        return
    if current is not None and current not in revisions():
        raise ConfigurationError(
            f"the database is at schema version {current}, which this version of peercoach does "
            "not know: it was written by a newer peercoach. Upgrade peercoach to open it."
        )
    config = alembic_config()
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        if MigrationContext.configure(connection).get_current_revision() == wanted:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def downgrade(engine: sa.Engine, target: str) -> None:
    """Take the schema back to ``target`` (for tests of migrations and for recovery)."""
    config = alembic_config()
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        config.attributes["connection"] = connection
        command.downgrade(config, target)
