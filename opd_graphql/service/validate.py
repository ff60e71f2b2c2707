"""Checks on user input shared by the use cases. Each failure names the field it is about."""

from __future__ import annotations

import re

from beanie import PydanticObjectId

from opd_graphql.service.errors import InvalidInput, NotFound

MAX_NAME = 100
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def storable(value: str, field: str) -> str:
    """`value`, if a database can store it: UTF-8 has no lone surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field} holds characters that are not valid text.", field) from None
    return value


def text(value: str, field: str, *, max_length: int = MAX_NAME) -> str:
    cleaned = " ".join(storable(value, field).split())
    if not cleaned:
        raise InvalidInput(f"{field} must not be blank.", field)
    if len(cleaned) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters.", field)
    return cleaned


def phone(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = storable(value, field).strip()
    digits = sum(c.isdigit() for c in cleaned)
    if not _PHONE.match(cleaned) or not 7 <= digits <= 15:
        raise InvalidInput(
            f"{field} must be a phone number of 7 to 15 digits, like +91 98765 43210.", field
        )
    return cleaned


def phone_key(phone: str) -> str:
    """What a search by phone compares: the last ten digits (+91 98765 43210 is 9876543210)."""
    return "".join(c for c in phone if c.isdigit())[-10:]


def doctor_code(value: str, field: str) -> str:
    code = storable(value, field).strip().upper()
    if not _CODE.match(code):
        raise InvalidInput(
            f"{field} must be 2 to 8 letters or digits starting with a letter, like CAR1.", field
        )
    return code


def object_id(value: str, field: str, what: str) -> PydanticObjectId:
    """An id that is not even well-formed cannot name anything: it is reported as not found."""
    try:
        return PydanticObjectId(value)
    except Exception:
        raise NotFound(f"No {what} has the id {value[:40]!r}.", field) from None
