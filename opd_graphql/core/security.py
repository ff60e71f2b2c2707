"""Who is asking: API keys and their roles (OPD_API_KEYS), compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "ADMIN"
    STAFF = "STAFF"
    DOCTOR = "DOCTOR"
    DISPLAY = "DISPLAY"
    PATIENT = "PATIENT"


# Who may see a patient's name and phone; a PATIENT sees only the tokens it booked.
SEES_PATIENTS = frozenset({Role.ADMIN, Role.STAFF, Role.DOCTOR})


class Unauthenticated(Exception):
    """A key was given and it is not one of ours."""


@dataclass(frozen=True)
class ApiKey:
    role: Role
    secret: str

    @property
    def fingerprint(self) -> str:
        """Names the key in stored data (who booked a token) without revealing it."""
        return hashlib.sha256(self.secret.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Viewer:
    """The caller. `role` None is open development mode: no keys are configured."""

    role: Role | None
    key: str | None = None  # the key's fingerprint, never the key itself

    @property
    def is_open(self) -> bool:
        return self.role is None

    def may(self, *roles: Role) -> bool:
        return self.role is None or self.role in roles

    def sees_patient_of(self, booked_by: str | None) -> bool:
        if self.role is None or self.role in SEES_PATIENTS:
            return True
        return self.role is Role.PATIENT and booked_by is not None and booked_by == self.key


OPEN = Viewer(role=None)
ANONYMOUS = Viewer(role=Role.DISPLAY)


def parse_api_keys(spec: str) -> tuple[ApiKey, ...]:
    """`role:key,role:key` -> keys. A malformed entry stops the server at start."""
    keys = []
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        role, _, secret = entry.partition(":")
        if not secret or role.strip().upper() not in Role.__members__:
            raise ValueError(
                "OPD_API_KEYS entries are role:key with a role among " + ", ".join(Role.__members__)
            )
        keys.append(ApiKey(Role(role.strip().upper()), secret.strip()))
    return tuple(keys)


def authenticate(
    authorization: str | None, keys: tuple[ApiKey, ...], *, anonymous_display: bool
) -> Viewer:
    """The viewer an `Authorization: Bearer <key>` value stands for."""
    if not keys:
        return OPEN
    if not authorization:
        if anonymous_display:
            return ANONYMOUS
        raise Unauthenticated("An API key is required.")
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("Send the API key as 'Authorization: Bearer <key>'.")
    found = None
    candidate = secret.strip().encode()
    for key in keys:
        # Compare with every key, whatever matched: the time taken tells nothing.
        if hmac.compare_digest(candidate, key.secret.encode()):
            found = key
    if found is None:
        raise Unauthenticated("The API key is not valid.")
    return Viewer(role=found.role, key=found.fingerprint)
