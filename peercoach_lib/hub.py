"""The pieces of a JupyterHub deployment that know the workbook (used by ``deploy/``).

- :class:`WorkbookSpawner` starts each signed-in person's own server: ``peercoach serve --hub``,
  which serves the Voilà apps and nothing else (no JupyterLab, no terminal, no file browser, no
  way to run code of one's choosing), and lets in that person alone.
- :func:`roster_checked` wraps any authenticator (shared password, OAuth, LDAP...) so that only
  people the workbook knows (a sign-in name or e-mail in the workbook) may sign in; hub admins
  always may.
- :func:`facilitator_sign_ins` names the people whose role in the workbook is facilitator: the
  hub can put them in its ``facilitators`` group at start.

This module imports ``jupyterhub``; the workbook itself never needs it.
"""

from __future__ import annotations

import os
import sys

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode, default

from peercoach_lib import identity
from peercoach_lib.config import DB_VARIABLE, database_url
from peercoach_lib.model import Person, Role
from peercoach_lib.store import Store

#: Scopes of the token each person's server gets: JupyterHub's defaults (report activity, let
#: its owner in) and reading its owner's groups, which give the person's role.
SERVER_TOKEN_SCOPES = [
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
]


class WorkbookSpawner(LocalProcessSpawner):
    """Start a person's workbook server as a process of the hub's own (unprivileged) account.

    JupyterHub's local spawner runs each person's server as that person's own system account, so
    that the code they run cannot touch anyone else's files. A workbook server runs no code of
    anyone's choosing (its kernels refuse execute requests from browsers), every person's server
    uses the same workbook database, and what each person may see is enforced by the workbook
    and the hub's sign-in. So the servers run as the hub's account, and people need no system
    accounts. For a cohort of thousands, run the same command in containers instead
    (DockerSpawner, KubeSpawner): nothing else changes.
    """

    workbook_db = Unicode(
        help="The workbook database every person's server uses (default: PEERCOACH_DB, else "
        "the checkout's data/peercoach.sqlite).",
    ).tag(config=True)

    @default("workbook_db")
    def _default_workbook_db(self) -> str:
        return database_url()

    @default("cmd")
    def _default_cmd(self) -> list[str]:
        return [sys.executable, "-m", "peercoach_lib.cli", "serve", "--hub"]

    @default("server_token_scopes")
    def _default_server_token_scopes(self) -> list[str]:
        return list(SERVER_TOKEN_SCOPES)

    def make_preexec_fn(self, name):
        return None  # no change of account: see the class's description

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        env["USER"] = self.user.name
        env.setdefault("HOME", os.environ.get("HOME", "/"))
        return env

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        env[DB_VARIABLE] = self.workbook_db
        # One server per person: kernels start per page rather than waiting, a pool each.
        env.setdefault("PEERCOACH_POOL", os.environ.get("PEERCOACH_POOL", "0"))
        return env


def roster_checked(authenticator_class: type) -> type:
    """``authenticator_class``, letting in only the people in the workbook (and hub admins).

    The workbook is read at each sign-in, so people enrolled later (``peercoach enrol``) may
    sign in at once, and people forgotten may not.
    """

    class RosterChecked(authenticator_class):
        @default("any_allow_config")
        def _default_any_allow_config(self) -> bool:
            return True  # the roster is the allow configuration

        async def check_allowed(self, username, authentication=None):
            allowed = super().check_allowed(username, authentication)
            if hasattr(allowed, "__await__"):
                allowed = await allowed
            if allowed:
                return True
            with Store(database_url()) as store:
                return identity.find_person(store, username) is not None

    RosterChecked.__name__ = f"RosterChecked{authenticator_class.__name__}"
    RosterChecked.__qualname__ = RosterChecked.__name__
    return RosterChecked


def facilitator_sign_ins(url: str | None = None) -> list[str]:
    """The names the workbook's facilitators sign in with: their sign-in name, else their
    e-mail address (as :func:`identity.find_person` finds them)."""
    with Store(url or database_url()) as store:
        return sorted(
            (p.sign_in or p.email).lower()
            for p in store.find(Person, role=Role.FACILITATOR.value)
            if (p.sign_in or p.email) and p.forgotten_at is None
        )
