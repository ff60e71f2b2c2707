"""Which roles may use which fields; failures are UNAUTHENTICATED or FORBIDDEN errors."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission

from opd_graphql.core.security import Role, Viewer


def viewer(info: strawberry.Info) -> Viewer:
    """The caller, or an UNAUTHENTICATED error when the key they sent is not ours."""
    if info.context.auth_error is not None:
        raise GraphQLError(info.context.auth_error, extensions={"code": "UNAUTHENTICATED"})
    found: Viewer = info.context.viewer
    return found


def forbidden(message: str = "Your role may not do this.") -> GraphQLError:
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})


def allow(*roles: Role) -> type[BasePermission]:
    """A permission for the roles given (and for everyone in open development mode)."""

    class Allowed(BasePermission):
        message = "Your role may not do this."
        error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

        def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
            return viewer(info).may(*roles)

    Allowed.__name__ = "Allow" + "".join(role.title() for role in roles)
    return Allowed


def check_may_follow(caller: Viewer, booked_by: str | None) -> None:
    """A patient's app reads and follows only the tokens it booked itself."""
    if caller.role is Role.PATIENT and (booked_by is None or booked_by != caller.key):
        raise forbidden("A patient may only follow the tokens it booked.")


def check_may_act_on(caller: Viewer, doctor_code: str) -> None:
    """A DOCTOR key bound to doctors acts only on their queues; an unbound one on any."""
    if caller.doctors is not None and doctor_code not in caller.doctors:
        raise forbidden(f"This key acts only on the queues of {', '.join(sorted(caller.doctors))}.")


# Who may do what (the README's table): fields name one of these.
READ = allow(*Role)
ADMIN = allow(Role.ADMIN)
BOOKING = allow(Role.STAFF, Role.PATIENT)
DESK = allow(Role.STAFF)
CONSOLE = allow(Role.DOCTOR)
FINDING = allow(Role.STAFF, Role.ADMIN)
