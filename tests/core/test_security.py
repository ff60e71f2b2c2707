from __future__ import annotations

import pytest

from opd_graphql.core.config import Settings
from opd_graphql.core.security import (
    ANONYMOUS,
    OPEN,
    Role,
    Unauthenticated,
    Viewer,
    authenticate,
    parse_api_keys,
)

KEYS = parse_api_keys("admin:a-secret, STAFF:s-secret,patient:p-secret,patient:q-secret")


def test_keys_are_read_as_role_and_key():
    assert [(k.role, k.secret) for k in KEYS] == [
        (Role.ADMIN, "a-secret"),
        (Role.STAFF, "s-secret"),
        (Role.PATIENT, "p-secret"),
        (Role.PATIENT, "q-secret"),
    ]


@pytest.mark.parametrize("spec", ["admin", "nurse:x", "staff:", ":x"])
def test_a_malformed_key_list_stops_the_server(spec):
    with pytest.raises(ValueError):
        parse_api_keys(spec)


def test_a_doctor_key_may_be_bound_to_doctor_codes():
    unbound, bound = parse_api_keys("doctor:d-secret, DOCTOR : b-secret : car1 | Ent2 ")
    assert (unbound.role, unbound.doctors) == (Role.DOCTOR, None)
    assert (bound.role, bound.secret, bound.doctors) == (
        Role.DOCTOR,
        "b-secret",
        frozenset({"CAR1", "ENT2"}),
    )
    viewer = authenticate("Bearer b-secret", (unbound, bound), anonymous_display=True)
    assert viewer.doctors == frozenset({"CAR1", "ENT2"})
    assert authenticate("Bearer d-secret", (unbound, bound), anonymous_display=True).doctors is None


@pytest.mark.parametrize(
    "spec",
    [
        "staff:s-secret:CAR1",
        "admin:a-secret:CAR1",
        "doctor:d-secret:",
        "doctor:d-secret:CAR1|",
        "doctor:d-secret:CAR1||ENT2",
        "doctor:d-secret:CAR 1",
        "doctor:d-secret:CAR1:ENT2",
        "doctor::CAR1",
    ],
)
def test_a_malformed_binding_stops_the_server_without_naming_the_key(spec):
    with pytest.raises(ValueError) as refused:
        parse_api_keys(spec)
    assert "secret" not in str(refused.value)


def test_without_keys_everything_is_open():
    assert authenticate(None, (), anonymous_display=False) == OPEN
    assert OPEN.may(Role.ADMIN) and OPEN.sees_patient_of(None)
    assert Settings.from_env({}).open_mode


def test_a_request_without_a_key_is_a_display_unless_turned_off():
    assert authenticate(None, KEYS, anonymous_display=True) == ANONYMOUS
    with pytest.raises(Unauthenticated):
        authenticate(None, KEYS, anonymous_display=False)


@pytest.mark.parametrize("header", ["Bearer nope", "Basic a-secret", "Bearer ", "a-secret"])
def test_a_wrong_key_is_unauthenticated(header):
    with pytest.raises(Unauthenticated):
        authenticate(header, KEYS, anonymous_display=True)


def test_a_key_gives_its_role_and_a_fingerprint_not_the_key():
    viewer = authenticate("Bearer p-secret", KEYS, anonymous_display=True)
    other = authenticate("bearer q-secret", KEYS, anonymous_display=True)
    assert viewer.role is other.role is Role.PATIENT
    assert viewer.key and viewer.key != other.key and "p-secret" not in viewer.key


def test_who_sees_patient_names():
    patient = Viewer(Role.PATIENT, key="k1")
    assert patient.sees_patient_of("k1")
    assert not patient.sees_patient_of("k2") and not patient.sees_patient_of(None)
    assert not ANONYMOUS.sees_patient_of("k1")
    assert all(Viewer(r).sees_patient_of(None) for r in (Role.ADMIN, Role.STAFF, Role.DOCTOR))
