"""Who is at the page: on a shared server, the signed-in person and their role; locally, anyone.

On one laptop (``peercoach serve``) the workbook has no sign-in: a person says who they are with
an app's "I am" chooser, and every app offers everyone. On a shared server behind JupyterHub
each person has a server of their own, started by the hub with the hub's name for them in
``JUPYTERHUB_USER``. There:

- the name is matched to a person in the workbook by sign-in name (``Person.sign_in``), or else
  by e-mail address, since many organisations sign people in with their address;
- the role comes from the hub's groups: members of :data:`FACILITATORS` see the cohort dashboard of
  the cohorts they facilitate (``Cohort.facilitator_id``), everyone else sees no cohort;
- apps offer the signed-in person alone, whatever a page's URL says (:class:`Viewer`).

The hub's groups are read from the hub's API with the server's own token (the hub grants it
``read:users:groups`` for its owner: ``deploy/jupyterhub_config.py``), once per page, so a change
of groups takes effect on the next page a person opens. When the hub cannot be asked, the
person is treated as a participant, and the reason is kept for the page to say.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from peercoach_lib.model import Cohort, Partnership, Person
from peercoach_lib.store import Store, schema

log = logging.getLogger(__name__)

#: Set by JupyterHub in a user's server: the hub's name for the user.
HUB_USER = "JUPYTERHUB_USER"
#: The hub group whose members may see the cohort dashboard.
FACILITATORS = "facilitators"
#: Seconds to wait for the hub's API before treating the person as a participant.
HUB_TIMEOUT = 5.0


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, and so what the page may offer them.

    ``Viewer()`` (:data:`ANYONE`) is the local workbook's viewer: no sign-in, no limits.
    """

    #: The hub's name for the person; None on a workbook without sign-in.
    hub_user: str | None = None
    #: The workbook's record of the signed-in person, when there is one.
    person: Person | None = None
    #: The person's hub groups.
    groups: frozenset[str] = frozenset()
    #: Why the groups could not be read from the hub, if they could not.
    problem: str = ""

    @property
    def signed_in(self) -> bool:
        return self.hub_user is not None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person is not None else None

    @property
    def is_facilitator(self) -> bool:
        """May this viewer see cohort dashboards at all? (Which ones: :meth:`cohorts`.)"""
        return not self.signed_in or FACILITATORS in self.groups

    def may_act_as(self, person_id: int | None) -> bool:
        """May this viewer open the workbook of ``person_id``?"""
        return not self.signed_in or (person_id is not None and person_id == self.person_id)

    def person_or(self, requested: int | None) -> int | None:
        """The person a page is for: on a shared server always the signed-in person, whatever
        was asked; locally, the one asked for."""
        return self.person_id if self.signed_in else requested

    def people(self, candidates: Iterable[Person]) -> list[Person]:
        """Of ``candidates``, those this viewer may choose as "I am"."""
        return [p for p in candidates if self.may_act_as(p.id)]

    def may_see_partnership(self, partnership: Partnership) -> bool:
        return not self.signed_in or (
            self.person_id is not None and self.person_id in partnership.members
        )

    def cohorts(self, candidates: Iterable[Cohort]) -> list[Cohort]:
        """Of ``candidates``, the cohorts whose dashboard this viewer may see."""
        if not self.signed_in:
            return list(candidates)
        if not self.is_facilitator or self.person_id is None:
            return []
        return [c for c in candidates if c.facilitator_id == self.person_id]


#: The viewer of a workbook without sign-in.
ANYONE = Viewer()


def hub_user(environ: Mapping[str, str] | None = None) -> str | None:
    """The hub's name for the person whose server this is, or None when not under a hub."""
    name = (os.environ if environ is None else environ).get(HUB_USER, "").strip()
    return name or None


def find_person(store: Store, name: str) -> Person | None:
    """The person who signs in as ``name``: by sign-in name, else by a unique e-mail address.

    Names compare without regard to case; people who were forgotten are never found.
    """
    wanted = name.strip().lower()
    if not wanted:
        return None
    p = schema.persons
    present = p.c.forgotten_at.is_(None)
    with store.reading() as tx:
        ids = (
            tx.connection.execute(
                sa.select(p.c.id).where(present, sa.func.lower(p.c.sign_in) == wanted)
            )
            .scalars()
            .all()
        )
        if not ids:
            ids = (
                tx.connection.execute(
                    sa.select(p.c.id).where(
                        present, p.c.sign_in.is_(None), sa.func.lower(p.c.email) == wanted
                    )
                )
                .scalars()
                .all()
            )
        if len(ids) != 1:
            if len(ids) > 1:
                log.warning("%d people have the e-mail %r; none is chosen for it", len(ids), name)
            return None
        return tx.get(Person, ids[0])


def hub_groups(environ: Mapping[str, str] | None = None) -> tuple[frozenset[str], str]:
    """The signed-in person's hub groups, read from the hub's API with the server's token.

    Returns the groups and, when they could not be read, why (the groups are then empty).
    """
    env = os.environ if environ is None else environ
    api, token = env.get("JUPYTERHUB_API_URL", ""), env.get("JUPYTERHUB_API_TOKEN", "")
    if not api or not token:
        return frozenset(), "the hub's address or this server's token is missing"
    request = urllib.request.Request(
        api.rstrip("/") + "/user", headers={"Authorization": f"token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=HUB_TIMEOUT) as response:
            model = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        log.warning("Could not read the signed-in person's groups from the hub: %s", exc)
        return frozenset(), f"the hub did not answer ({exc})"
    groups = model.get("groups") if isinstance(model, dict) else None
    if not isinstance(groups, list):
        log.warning("The hub's answer holds no groups: is read:users:groups granted to servers?")
        return frozenset(), "the hub did not say which groups you are in"
    return frozenset(g for g in groups if isinstance(g, str)), ""


def resolve(store: Store, environ: Mapping[str, str] | None = None) -> Viewer:
    """Who is at the page, from the server's environment (and the hub, when there is one)."""
    name = hub_user(environ)
    if name is None:
        return ANYONE
    groups, problem = hub_groups(environ)
    return Viewer(hub_user=name, person=find_person(store, name), groups=groups, problem=problem)
