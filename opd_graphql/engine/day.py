"""A doctor-day as the engine sees it: slots, tokens by id, and who holds each slot's places.

Indexing a busy day by slot costs more than most decisions about it, so a Day indexes itself
once, on first use, and the Day after a plan carries that index forward, touching only the
slots whose holders changed. A Day is never changed: its index's lists are shared with the
days and boards made from it, and whoever changes one copies it first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from opd_graphql.engine.model import HOLDS_PLACE, Plan, Slot, Token

START = attrgetter("start")


@dataclass(frozen=True, slots=True)
class SlotIndex:
    """The day's slots in start order and, for each, the tokens holding its places.

    Within a slot the holders are in no meaningful order: tokens of a day never share a rank.
    """

    slots: tuple[Slot, ...]
    positions: dict[str, int]
    capacities: tuple[int, ...]
    holders: tuple[list[Token], ...]


class Day:
    """One doctor's slots on one date and the tokens that matter to allocation.

    `tokens` holds at least every seated, completed and waitlisted token of the day, each id
    once; tokens in other final states may be present and are ignored.
    """

    __slots__ = ("_by_id", "_index", "slots", "tokens")

    def __init__(self, slots: Iterable[Slot], tokens: Iterable[Token]) -> None:
        self.slots = tuple(slots)
        self.tokens = tuple(tokens)
        self._by_id: dict[str, Token] | None = None
        self._index: SlotIndex | None = None

    def __repr__(self) -> str:
        return f"Day(slots={self.slots!r}, tokens={self.tokens!r})"

    def token(self, token_id: str) -> Token | None:
        return self._tokens_by_id().get(token_id)

    @property
    def index(self) -> SlotIndex:
        if self._index is None:
            self._index = _index_of(self.slots, self.tokens)
        return self._index

    def after(self, plan: Plan) -> Day:
        """The day once `plan` is carried out: changed tokens replaced, new ones added last."""
        return self._changed(plan.tokens, ())

    def without(self, token_ids: Iterable[str]) -> Day:
        """The day without the tokens of these ids, and without any place they held."""
        return self._changed((), token_ids)

    def _tokens_by_id(self) -> dict[str, Token]:
        if self._by_id is None:
            self._by_id = {token.id: token for token in self.tokens}
        return self._by_id

    def _changed(self, tokens: Iterable[Token], gone: Iterable[str]) -> Day:
        by_id = dict(self._tokens_by_id())
        seating = None if self._index is None else Seating(self._index)
        for token in tokens:
            was = by_id.get(token.id)
            by_id[token.id] = token
            if seating is not None:
                seating.move(was, token)
        for token_id in gone:
            was = by_id.pop(token_id, None)
            if seating is not None:
                seating.move(was, None)
        changed = Day.__new__(Day)
        changed.slots, changed.tokens, changed._by_id = self.slots, tuple(by_id.values()), by_id
        changed._index = None if seating is None else seating.index()
        return changed


class Seating:
    """Who holds each slot's places, changed over a day's index without changing it."""

    def __init__(self, index: SlotIndex) -> None:
        self._index = index
        self.positions = index.positions
        # Replaced slot by slot, never resized: readers may keep a reference to it.
        self.holders = list(index.holders)
        self._copied: set[int] = set()

    def move(self, was: Token | None, token: Token | None) -> None:
        """`was` leaves any place it held and `token` takes any place it holds.

        `was` must be the very object the index holds for the token.
        """
        positions = self.positions
        if was is not None and was.status in HOLDS_PLACE and was.slot_id in positions:
            _remove(self._own(positions[was.slot_id]), was)
        if token is not None and token.status in HOLDS_PLACE and token.slot_id in positions:
            self._own(positions[token.slot_id]).append(token)

    def index(self) -> SlotIndex:
        shared = self._index
        return SlotIndex(shared.slots, shared.positions, shared.capacities, tuple(self.holders))

    def _own(self, position: int) -> list[Token]:
        if position not in self._copied:
            self.holders[position] = list(self.holders[position])
            self._copied.add(position)
        return self.holders[position]


def _index_of(slots: tuple[Slot, ...], tokens: Iterable[Token]) -> SlotIndex:
    ordered = tuple(sorted(slots, key=START))
    by_slot: dict[str | None, list[Token]] = {slot.id: [] for slot in ordered}
    for token in tokens:
        if token.status in HOLDS_PLACE:
            # try, not contextlib.suppress or dict.get: this loop is most of indexing's cost.
            try:  # noqa: SIM105
                by_slot[token.slot_id].append(token)
            except KeyError:
                pass  # a place in a slot this day does not have counts nowhere
    return SlotIndex(
        slots=ordered,
        positions={slot.id: position for position, slot in enumerate(ordered)},
        capacities=tuple(slot.capacity for slot in ordered),
        holders=tuple(by_slot[slot.id] for slot in ordered),
    )


def _remove(tokens: list[Token], token: Token) -> None:
    # By identity: comparing frozen dataclasses field by field would cost far more.
    for position, held in enumerate(tokens):
        if held is token:
            del tokens[position]
            return
