"""What is stored: Beanie documents and their indexes."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from opd_graphql.engine import EventKind, Source, Status


class Doctor(Document):
    name: str
    code: str
    department: str
    created_at: datetime
    active: bool = True
    room: str | None = None
    # Set on the doctors a simulation creates: they live beside the real ones, never
    # listed with them, and their codes are unique within their own simulation.
    simulation_id: str | None = None

    class Settings:
        name = "doctors"
        indexes = [
            IndexModel(
                [("simulation_id", ASCENDING), ("code", ASCENDING)],
                unique=True,
                name="simulation_code_unique",
            ),
            IndexModel([("department", ASCENDING), ("name", ASCENDING)], name="department"),
        ]


class Slot(Document):
    doctor_id: PydanticObjectId
    date: str  # ISO date in the hospital's timezone: the doctor-day the slot belongs to
    start: datetime
    end: datetime
    capacity: int  # in places
    created_at: datetime
    closed: bool = False

    class Settings:
        name = "slots"
        indexes = [
            IndexModel(
                [("doctor_id", ASCENDING), ("date", ASCENDING), ("start", ASCENDING)],
                name="doctor_date_start",
            ),
        ]


class Patient(BaseModel):
    name: str
    phone: str | None = None  # as the patient gave it
    phone_key: str | None = None  # its last ten digits: what a search by phone matches


class TokenEvent(BaseModel):
    at: datetime
    kind: EventKind
    slot_id: PydanticObjectId | None = None
    caused_by: PydanticObjectId | None = None
    note: str | None = None


class Token(Document):
    doctor_id: PydanticObjectId
    date: str
    seq: int
    number: str
    source: Source
    status: Status
    patient: Patient
    queued_at: datetime
    slot_id: PydanticObjectId | None = None
    requested_slot_id: PydanticObjectId | None = None
    displacements: int = 0
    places: int = 1
    skips: int = 0
    recall_in: int = 0  # calls of others before a skipped patient is called again
    requested_department: str | None = None
    booked_by: str | None = None  # the fingerprint of the PATIENT key that booked it
    history: list[TokenEvent] = Field(default_factory=list)
    updated_at: datetime

    class Settings:
        name = "tokens"
        # Every change to a token rewrites its entry in each index, so tokens have only
        # these two. The first also answers the reads of a day's tokens, which skip the
        # day's few cancelled and no-show ones as they come: cheaper than a status index.
        indexes = [
            IndexModel(
                [("doctor_id", ASCENDING), ("date", ASCENDING), ("seq", ASCENDING)],
                unique=True,
                name="doctor_date_seq_unique",
            ),
            # The expiry sweep's, every minute in every process: only waitlisted tokens
            # have an entry, so it stays small however many days are stored.
            IndexModel(
                [("date", ASCENDING)],
                partialFilterExpression={"status": "WAITLISTED"},
                name="waitlisted_date",
            ),
            # Finding a patient at the desk by phone.
            IndexModel([("patient.phone_key", ASCENDING), ("date", ASCENDING)], name="phone_date"),
        ]


class TokenState(BaseModel):
    """What allocation needs of a token: read for every token of a day by every change to it.

    Histories and patients grow with the day and are never read there.
    """

    id: PydanticObjectId = Field(alias="_id")
    seq: int
    source: Source
    status: Status
    queued_at: datetime
    slot_id: PydanticObjectId | None = None
    displacements: int = 0
    places: int = 1
    skips: int = 0
    recall_in: int = 0


class IdempotencyKey(Document):
    """A booking's idempotency key, written in the booking's transaction.

    A key belongs to its caller (`scope`) and to the request it came with (`fingerprint`):
    the same caller sending it again with the same request gets the same token.
    """

    scope: str
    key: str
    fingerprint: str
    token_id: PydanticObjectId
    expires_at: datetime

    class Settings:
        name = "idempotency_keys"
        indexes = [
            IndexModel([("scope", ASCENDING), ("key", ASCENDING)], unique=True, name="scope_key"),
            IndexModel([("expires_at", ASCENDING)], name="expires_at"),
        ]


class DoctorDay(Document):
    """The ledger of one doctor-day: every change to the day bumps its version."""

    id: str  # type: ignore[assignment]  # "<doctor id>:<date>"
    doctor_id: PydanticObjectId
    date: str
    version: int = 0
    tokens_issued: int = 0

    class Settings:
        name = "doctor_days"

    @staticmethod
    def key(doctor_id: PydanticObjectId, date: str) -> str:
        return f"{doctor_id}:{date}"


class OutboxEvent(Document):
    """Written in the same transaction as the change it describes; streamed to subscribers."""

    doctor_id: PydanticObjectId
    date: str
    version: int
    token_id: PydanticObjectId
    kind: EventKind
    slot_id: PydanticObjectId | None = None
    caused_by: PydanticObjectId | None = None
    note: str | None = None
    at: datetime

    class Settings:
        name = "events"
        indexes = [
            IndexModel(
                [("doctor_id", ASCENDING), ("date", ASCENDING), ("version", ASCENDING)],
                name="doctor_date_version",
            ),
            # How the sweep finds the events old enough to drop. Not a TTL index: the
            # embedded database walks the whole collection for TTL every minute.
            IndexModel([("at", ASCENDING)], name="at"),
        ]


DOCUMENT_MODELS: list[type[Document]] = [
    Doctor,
    Slot,
    Token,
    IdempotencyKey,
    DoctorDay,
    OutboxEvent,
]
