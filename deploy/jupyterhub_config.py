"""JupyterHub for a cohort: each person signs in and gets a workbook server of their own.

Start it from the checkout with ``make hub`` (or ``.venv/bin/jupyterhub -f
deploy/jupyterhub_config.py``). Each signed-in person's server runs ``peercoach serve --hub``:
the Voilà apps alone (no JupyterLab, no terminal, no file browser, no code of anyone's
choosing), for that person alone. README.md, "Deploy for a cohort", walks through it.

Settings, from the environment:

PEERCOACH_DB
    The workbook database every person's server uses; PostgreSQL for a cohort
    (``postgresql+psycopg://user:password@host/db``). Default: the checkout's SQLite file.
PEERCOACH_HUB_IP, PEERCOACH_HUB_PORT
    Where the hub listens: 127.0.0.1 and 8000 unless told otherwise. Put a TLS-terminating
    proxy (nginx, Caddy) in front of it to serve a cohort.
PEERCOACH_HUB_API_PORT, PEERCOACH_PROXY_API_PORT
    The hub's and its proxy's internal ports on loopback (8081 and 8001).
PEERCOACH_HUB_STATE
    Folder of the hub's own state: its database, cookie secret and proxy token (``data/hub``;
    ``data/`` is never served).
PEERCOACH_HUB_AUTHENTICATOR
    ``shared-password`` (the default; needs no outside service: everyone signs in with the
    password in PEERCOACH_HUB_PASSWORD, and only on loopback), or the import path of any
    JupyterHub authenticator, such as ``oauthenticator.generic.GenericOAuthenticator`` or
    ``ldapauthenticator.LDAPAuthenticator``, configured in PEERCOACH_HUB_EXTRA_CONFIG.
PEERCOACH_HUB_PASSWORD
    The shared password (8 characters or more) of ``shared-password``.
PEERCOACH_HUB_ADMINS
    Comma-separated hub user names who manage the hub (its /hub/admin page: groups, servers).
    With ``shared-password`` they sign in with PEERCOACH_HUB_ADMIN_PASSWORD (16 characters or
    more, not the same as the shared password).
PEERCOACH_FACILITATORS
    Comma-separated hub user names put in the ``facilitators`` group at start. Default: everyone
    whose role in the workbook is facilitator and who has a sign-in name. Members of that group
    see the cohort dashboard of the cohorts they facilitate; add or remove members later on the
    admin page.
PEERCOACH_HUB_EXTRA_CONFIG
    A further JupyterHub configuration file, loaded last: the organisation's authenticator
    settings (client id and secret, LDAP server) and anything else to override.

Only people in the workbook (a sign-in name or e-mail address that ``peercoach enrol`` put
there) may sign in, whatever the authenticator; hub admins always may.
"""

import ipaddress
import os
import sys
from pathlib import Path

from traitlets.utils.importstring import import_item

from peercoach_lib.hub import WorkbookSpawner, facilitator_sign_ins, roster_checked

c = get_config()  # noqa: F821  (JupyterHub's configuration object)

CHECKOUT = Path(__file__).resolve().parent.parent


def _setting(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _names(value: str) -> set[str]:
    return {n.strip().lower() for n in value.split(",") if n.strip()}


# -- where the hub listens, where it keeps its state ---------------------------------------------

ip = _setting("PEERCOACH_HUB_IP", "127.0.0.1")
c.JupyterHub.ip = ip
c.JupyterHub.port = int(_setting("PEERCOACH_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(_setting("PEERCOACH_HUB_API_PORT", "8081"))
proxy_api_port = int(_setting("PEERCOACH_PROXY_API_PORT", "8001"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"

state = Path(_setting("PEERCOACH_HUB_STATE", str(CHECKOUT / "data" / "hub"))).resolve()
state.mkdir(parents=True, exist_ok=True, mode=0o700)
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
# The proxy from the checkout's node_modules (npm ci), else one on PATH.
local_proxy = CHECKOUT / "node_modules" / ".bin" / "configurable-http-proxy"
if local_proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(local_proxy)]

# -- each person's server --------------------------------------------------------------------------

c.JupyterHub.spawner_class = WorkbookSpawner
c.Spawner.default_url = "/"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "PEERCOACH_POOL"]
# The workbook's own Python, whichever started the hub.
c.WorkbookSpawner.cmd = [sys.executable, "-m", "peercoach_lib.cli", "serve", "--hub"]
# People land on their workbook, never on the hub's own home page with its server controls.
c.JupyterHub.default_url = "/hub/user-redirect/"

# -- who may sign in, and who facilitates ---------------------------------------------------------

choice = _setting("PEERCOACH_HUB_AUTHENTICATOR", "shared-password")
if choice == "shared-password":
    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    if not ipaddress.ip_address(ip).is_loopback:
        sys.exit(
            "The shared-password sign-in is for trying the hub on one machine: it listens on "
            "loopback only. Set PEERCOACH_HUB_AUTHENTICATOR to your organisation's sign-in "
            "(README: Deploy for a cohort)."
        )
    password = _setting("PEERCOACH_HUB_PASSWORD")
    if len(password) < 8:
        sys.exit("Set PEERCOACH_HUB_PASSWORD to a password of 8 characters or more.")
    base = SharedPasswordAuthenticator
    c.SharedPasswordAuthenticator.user_password = password
    # Hub admins sign in with a password of their own (16 characters or more).
    c.SharedPasswordAuthenticator.admin_password = _setting("PEERCOACH_HUB_ADMIN_PASSWORD")
else:
    base = import_item(choice)
c.JupyterHub.authenticator_class = roster_checked(base)
c.Authenticator.allow_all = False
c.Authenticator.admin_users = _names(_setting("PEERCOACH_HUB_ADMINS"))

facilitators = _names(_setting("PEERCOACH_FACILITATORS")) or set(facilitator_sign_ins())
c.JupyterHub.load_groups = {"facilitators": {"users": sorted(facilitators)}}

extra = _setting("PEERCOACH_HUB_EXTRA_CONFIG")
if extra:
    load_subconfig(extra)  # noqa: F821  (JupyterHub's loader)
