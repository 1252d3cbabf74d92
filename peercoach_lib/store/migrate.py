"""Schema versions: the store brings a database up to the newest version when it opens it."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import sqlalchemy as sa

from peercoach_lib.errors import ConfigurationError
from peercoach_lib.store.engine import WRITE

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCRIPT_LOCATION = "peercoach_lib.store:migrations"
#: The newest schema version (a test keeps it equal to Alembic's head). Opening a database that
#: is already there needs one small read and no Alembic at all: Alembic is imported only to
#: migrate, which keeps every app's start quick.
HEAD = "0014"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _scripts().get_current_head()


def revisions() -> list[str]:
    """Every schema version, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return _revision(connection)


def _revision(connection: sa.Connection) -> str | None:
    """The schema version recorded in the database (Alembic's table), None when there is none."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: sa.Engine, target: str = "head") -> None:
    """Bring the database to ``target``; a no-op (one small read) when it is there already.

    Several processes may open a new database at once: the migration runs under the write lock
    and looks at the version again once it holds it, so only the first one migrates.
    """
    current = current_revision(engine)
    if current == (HEAD if target == "head" else target):
        return
    from alembic import command

    wanted = head_revision() if target == "head" else target
    if current is not None and current not in revisions():
        raise ConfigurationError(
            f"the database is at schema version {current}, which this version of peercoach does "
            "not know: it was written by a newer peercoach. Upgrade peercoach to open it."
        )
    config = alembic_config()
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        if _revision(connection) == wanted:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, target)


def downgrade(engine: sa.Engine, target: str) -> None:
    """Take the schema back to ``target`` (for tests of migrations and for recovery)."""
    from alembic import command

    config = alembic_config()
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        config.attributes["connection"] = connection
        command.downgrade(config, target)
