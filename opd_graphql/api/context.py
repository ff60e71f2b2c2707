"""The per-request context: the service context, the live broker and batching loaders."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import TypeVar

from beanie import Document, PydanticObjectId
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension

from opd_graphql.core.security import OPEN, Viewer
from opd_graphql.live.broker import Broker
from opd_graphql.service.context import ServiceContext
from opd_graphql.service.queue import DayView, read_day
from opd_graphql.store.documents import Doctor, Slot, Token
from opd_graphql.store.lookup import by_ids

DayKey = tuple[PydanticObjectId, str]
D = TypeVar("D", bound=Document)


def _by_id_loader(model: type[D]) -> DataLoader[str, D | None]:
    async def load(ids: Sequence[str]) -> list[D | None]:
        found = await by_ids(model, ids)
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


@dataclass
class Context:
    service: ServiceContext
    broker: Broker
    viewer: Viewer = OPEN
    auth_error: str | None = None  # set when the caller sent a key that is not ours
    connection_params: dict[str, object] | None = None  # a WebSocket's connection_init
    over_websocket: bool = False

    # The loaders are made when first used: most requests need one or none of them.
    @cached_property
    def doctors(self) -> DataLoader[str, Doctor | None]:
        return _by_id_loader(Doctor)

    @cached_property
    def slots(self) -> DataLoader[str, Slot | None]:
        return _by_id_loader(Slot)

    @cached_property
    def tokens(self) -> DataLoader[str, Token | None]:
        return _by_id_loader(Token)

    @cached_property
    def days(self) -> DataLoader[DayKey, DayView]:
        async def load_days(keys: Sequence[DayKey]) -> list[DayView]:
            return [await read_day(self.service, doctor_id, day) for doctor_id, day in keys]

        return DataLoader(load_fn=load_days)

    def for_operation(self) -> Context:
        """The same caller with loaders of its own (`OwnLoaders`)."""
        return replace(self)

    def forget(self) -> None:
        """Drop what the loaders hold: a subscription calls it before each new message."""
        for loader in ("doctors", "slots", "tokens", "days"):
            self.__dict__.pop(loader, None)

    async def day(self, doctor_id: PydanticObjectId | str, day: date | str) -> DayView:
        return await self.days.load(day_key(doctor_id, day))

    def know(self, view: DayView) -> None:
        self.days.prime(day_key(view.doctor_id, view.date), view)


class OwnLoaders(SchemaExtension):
    """Every operation reads through loaders of its own. A WebSocket's operations share the
    connection's context, and what one of them loaded must never answer another: a query
    beside a subscription would read the day as the subscription's last message had it."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            self.execution_context.context = context.for_operation()
        yield


def day_key(doctor_id: PydanticObjectId | str, day: date | str) -> DayKey:
    return (PydanticObjectId(doctor_id), day if isinstance(day, str) else day.isoformat())
