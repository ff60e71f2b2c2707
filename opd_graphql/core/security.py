"""Who is asking: API keys and their roles (OPD_API_KEYS), compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
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
# The form of a doctor's code (service.validate.doctor_code): a typo in a binding must
# stop the server, not leave a doctor's console bound to no queue at all.
_DOCTOR_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


class Unauthenticated(Exception):
    """A key was given and it is not one of ours."""


@dataclass(frozen=True)
class ApiKey:
    role: Role
    secret: str
    doctors: frozenset[str] | None = None  # the doctor codes a DOCTOR key is bound to

    @property
    def fingerprint(self) -> str:
        """Names the key in stored data (who booked a token) without revealing it."""
        return hashlib.sha256(self.secret.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Viewer:
    """The caller. `role` None is open development mode: no keys are configured."""

    role: Role | None
    key: str | None = None  # the key's fingerprint, never the key itself
    doctors: frozenset[str] | None = None  # codes of a bound DOCTOR key; None is unbound

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
    """`role:key,doctor:key:CAR1|CAR2` -> keys. A malformed entry stops the server at start."""
    keys = []
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        name, _, rest = entry.partition(":")
        secret, bound, codes = rest.partition(":")
        if not secret.strip() or name.strip().upper() not in Role.__members__:
            raise ValueError(
                "OPD_API_KEYS entries are role:key with a role among " + ", ".join(Role.__members__)
            )
        role = Role(name.strip().upper())
        doctors = _bound_doctors(role, codes) if bound else None
        keys.append(ApiKey(role, secret.strip(), doctors))
    return tuple(keys)


def _bound_doctors(role: Role, codes: str) -> frozenset[str]:
    """The codes of `doctor:key:CAR1|CAR2`; the errors never repeat the key."""
    if role is not Role.DOCTOR:
        raise ValueError(
            f"OPD_API_KEYS: only DOCTOR keys may be bound to doctors (a {role} key is)."
        )
    found = [code.strip().upper() for code in codes.split("|")]
    if not all(_DOCTOR_CODE.match(code) for code in found):
        raise ValueError(
            "OPD_API_KEYS: a DOCTOR key is bound as doctor:key:CAR1|CAR2, with doctor codes "
            "of 2 to 8 letters or digits starting with a letter."
        )
    return frozenset(found)


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
    return Viewer(role=found.role, key=found.fingerprint, doctors=found.doctors)
