"""Access: who may do what (policy), what each actor may see (visibility), users, share links.

The package's public names are re-exported here so callers write `access.allowed(...)`,
`access.Actor`, `access.create_share(...)`: one door for every permission question.
"""

from metrics.access import sessions
from metrics.access.policy import (
    ACTIONS,
    LOCAL_ADMIN,
    PUBLIC_PORTAL,
    ROLES,
    AccessError,
    Actor,
    Forbidden,
    Resource,
    allowed,
    ensure_allowed,
)
from metrics.access.shares import (
    create_share,
    list_shares,
    parse_expiry,
    resolve_share,
    revoke_share,
    share_url,
)
from metrics.access.users import (
    MIN_PASSWORD_CHARS,
    add_user,
    authenticate,
    check_password,
    has_users,
    invite_user,
    list_users,
    password_link,
    redeem_password_link,
    reset_password,
    set_disabled,
    set_email,
    set_role,
)
from metrics.access.visibility import Visibility, for_actor

__all__ = ["ACTIONS", "LOCAL_ADMIN", "MIN_PASSWORD_CHARS", "PUBLIC_PORTAL", "ROLES", "AccessError", "Actor", "Forbidden",
           "Resource", "Visibility", "add_user", "allowed", "authenticate", "check_password", "create_share",
           "ensure_allowed", "for_actor", "has_users", "invite_user", "list_shares", "list_users", "parse_expiry",
           "password_link", "redeem_password_link", "reset_password", "resolve_share", "revoke_share", "sessions",
           "set_disabled", "set_email", "set_role", "share_url"]
