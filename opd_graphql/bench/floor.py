"""The floor: the least a transactional booking costs, issued straight through PyMongo.

Each booking bumps its doctor-day ledger (and reads it back), inserts a token and an event,
and commits, in one transaction with the API's read and write concerns and the API's
indexes on those collections. The API does all this and more (the engine's plan, GraphQL,
HTTP), so its throughput over this one is the share of the database's speed the stack keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from opd_graphql.bench.measure import Summary, drive
from opd_graphql.bench.workload import Booking
from opd_graphql.store.documents import DoctorDay, OutboxEvent, Token


class Floor:
    def __init__(self, uri: str, db_name: str) -> None:
        self.client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
        self.database = self.client[db_name]
        self.days = self.database[DoctorDay.Settings.name]
        self.tokens = self.database[Token.Settings.name]
        self.events = self.database[OutboxEvent.Settings.name]
        self.retries = 0

    async def prepare(self) -> None:
        await self.tokens.create_indexes(list(Token.Settings.indexes))
        await self.events.create_indexes(list(OutboxEvent.Settings.indexes))

    async def level(self, bookings: list[Booking], *, clients: int, seconds: float) -> Summary:
        async def one(index: int) -> None:
            await self.book(bookings[index])

        return await drive(one, clients=clients, seconds=seconds, limit=len(bookings))

    async def book(self, booking: Booking) -> None:
        doctor_id = ObjectId(booking.day.doctor_id)
        day_date = booking.day.date.isoformat()
        attempts = 0

        async def work(session: AsyncClientSession) -> None:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                self.retries += 1
            now = datetime.now(UTC)
            # Bumped and read back rather than one find_one_and_update, as the service
            # does: the embedded database scans the collection for a findAndModify.
            key = f"{doctor_id}:{day_date}"
            await self.days.update_one(
                {"_id": key},
                {
                    "$inc": {"version": 1, "tokens_issued": 1},
                    "$setOnInsert": {"doctor_id": doctor_id, "date": day_date},
                },
                upsert=True,
                session=session,
            )
            ledger = await self.days.find_one({"_id": key}, session=session)
            assert ledger is not None
            token_id = ObjectId()
            seq = ledger["tokens_issued"]
            await self.tokens.insert_one(
                {
                    "_id": token_id,
                    "doctor_id": doctor_id,
                    "date": day_date,
                    "seq": seq,
                    "number": f"{booking.day.code}-{seq:03d}",
                    "source": booking.source,
                    "status": "BOOKED",
                    "patient": {"name": booking.patient, "phone": booking.phone},
                    "queued_at": now,
                    "slot_id": None,
                    "displacements": 0,
                    "history": [{"at": now, "kind": "BOOKED"}],
                    "updated_at": now,
                },
                session=session,
            )
            await self.events.insert_one(
                {
                    "doctor_id": doctor_id,
                    "date": day_date,
                    "version": ledger["version"],
                    "token_id": token_id,
                    "kind": "BOOKED",
                    "at": now,
                },
                session=session,
            )

        async with self.client.start_session() as session:
            await session.with_transaction(
                work, read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
            )

    async def close(self, *, drop: bool) -> None:
        if drop:
            await self.client.drop_database(self.database.name)
        await self.client.close()
