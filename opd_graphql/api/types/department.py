from __future__ import annotations

import asyncio
import datetime as dt

import strawberry

from opd_graphql.api.types.doctor import Doctor
from opd_graphql.api.types.queue import Queue
from opd_graphql.api.types.slot import Slot
from opd_graphql.service import departments


@strawberry.type(description="A department's free places on a date, and its doctors' queues.")
class DepartmentDay:
    date: dt.date
    free_places: int = strawberry.field(
        description="Places not yet taken in the open slots of its active doctors."
    )
    earliest_free_slot: Slot | None = strawberry.field(
        description="The open slot with a free place that starts first, of any active doctor."
    )
    queues: list[Queue] = strawberry.field(description="Each active doctor's queue, by name.")


@strawberry.type(description="Doctors who share a department (names compared case-blind).")
class Department:
    name: str = strawberry.field(description="As written for its first doctor, trimmed.")
    doctors: list[Doctor] = strawberry.field(description="Active and inactive, by name.")
    active_ids: strawberry.Private[list[str]]

    @classmethod
    def from_department(cls, department: departments.Department) -> Department:
        return cls(
            name=department.name,
            doctors=[Doctor.from_document(d) for d in department.doctors],
            active_ids=[str(d.id) for d in department.doctors if d.active],
        )

    @strawberry.field
    async def day(self, info: strawberry.Info, date: dt.date) -> DepartmentDay:
        service = info.context.service
        views = await asyncio.gather(*(info.context.day(id, date) for id in self.active_ids))
        now = service.now()
        free: list[tuple[dt.datetime, int, Slot]] = []
        for view in views:
            for slot in view.slots:
                if slot.closed or slot.end <= now:
                    continue
                taken = sum(t.places for t in view.holders.get(str(slot.id), []))
                if slot.capacity > taken:
                    shown = Slot.from_document(slot, service.timezone)
                    free.append((slot.start, slot.capacity - taken, shown))
        free.sort(key=lambda entry: entry[0])
        return DepartmentDay(
            date=date,
            free_places=sum(places for _, places, _ in free),
            earliest_free_slot=free[0][2] if free else None,
            queues=[Queue.from_view(view) for view in views],
        )
