"""A doctor-day as the engine sees it: slots, tokens by id, and who holds each slot's places.

Indexing a busy day by slot costs more than most decisions about it, so a Day indexes itself
once, on first use, and the Day after a plan carries that index forward, touching only the
slots whose holders changed. A Day is never changed: its index is shared with the days and
boards made from it, so a slot's list of holders is never changed either, only replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opd_graphql.engine.model import HOLDS_PLACE, RANK, SEATED, Plan, Slot, Token


@dataclass(frozen=True, slots=True)
class SlotIndex:
    """The day's slots in start order and, for each, the tokens holding its places.

    `holders[i]`: slot i's seated and completed tokens, in no meaningful order; `held[i]`: the
    places they hold; `ranked[i]`: the same tokens worst-ranked first, sorted when a decision
    first needs them (None until then), for every later decision on the same holders.
    """

    slots: tuple[Slot, ...]
    positions: dict[str, int]
    holders: tuple[list[Token], ...]
    held: tuple[int, ...]
    ranked: list[list[Token] | None]


class Day:
    """One doctor's slots on one date and the tokens that matter to allocation.

    `tokens` holds at least every seated, completed and waitlisted token of the day, each id
    once; tokens in other final states may be present and are ignored. A place in a slot the
    day does not have counts nowhere.
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
        return self.by_id.get(token_id)

    @property
    def by_id(self) -> Mapping[str, Token]:
        """The day's tokens by id."""
        if self._by_id is None:
            self._by_id = {token.id: token for token in self.tokens}
        return self._by_id

    def slot(self, slot_id: str) -> Slot:
        return self.index.slots[self.position(slot_id)]

    def position(self, slot_id: str) -> int:
        """The slot's place in the day's start order."""
        position = self.index.positions.get(slot_id)
        if position is None:
            raise ValueError(f"Unknown slot {slot_id}.")
        return position

    @property
    def index(self) -> SlotIndex:
        if self._index is None:
            self._index = _index_of(self.slots, self.tokens)
        return self._index

    def after(self, plan: Plan) -> Day:
        """The day once `plan` is carried out: tokens and slots replaced, new tokens added last,
        tokens gone to another day removed."""
        by_id = dict(self.by_id)
        # A slot's start orders the index, so a changed slot has the next day index afresh.
        seating = Seating(self._index) if self._index is not None and not plan.slots else None
        for token in plan.tokens:
            was = by_id.get(token.id)
            by_id[token.id] = token
            if seating is not None:
                seating.move(was, token)
        for token_id in plan.gone:
            was = by_id.pop(token_id, None)
            if seating is not None:
                seating.move(was, None)
        changed = {slot.id: slot for slot in plan.slots}
        after = Day(slots=(changed.get(slot.id, slot) for slot in self.slots), tokens=())
        after.tokens, after._by_id = tuple(by_id.values()), by_id
        after._index = None if seating is None else seating.index()
        return after


class Seating:
    """Who holds each slot's places, changed over a day's index without changing it."""

    def __init__(self, index: SlotIndex) -> None:
        self._index = index
        self.positions = index.positions
        self.holders = list(index.holders)
        self.held = list(index.held)
        self.ranked = list(index.ranked)
        self._replaced: set[int] = set()

    def move(self, was: Token | None, token: Token | None) -> None:
        """`was` leaves any place it held and `token` takes any place it holds."""
        positions = self.positions
        if was is not None and was.status in HOLDS_PLACE and was.slot_id in positions:
            position = positions[was.slot_id]
            # By identity: the index holds the very objects the day's tokens and plans are.
            self._replace(position, [held for held in self.holders[position] if held is not was])
            self.held[position] -= was.places
        if token is not None and token.status in HOLDS_PLACE and token.slot_id in positions:
            position = positions[token.slot_id]
            self._replace(position, [*self.holders[position], token])
            self.held[position] += token.places

    def worst_first(self, position: int) -> list[Token]:
        """The slot's holders, worst-ranked first."""
        ranked = self.ranked[position]
        if ranked is None:
            ranked = sorted(self.holders[position], key=RANK, reverse=True)
            self.ranked[position] = ranked
            if position not in self._replaced:
                self._index.ranked[position] = ranked  # the index's own holders: share the sort
        return ranked

    def index(self) -> SlotIndex:
        shared = self._index
        holders, held = tuple(self.holders), tuple(self.held)
        return SlotIndex(shared.slots, shared.positions, holders, held, self.ranked)

    def _replace(self, position: int, holders: list[Token]) -> None:
        self.holders[position] = holders
        self.ranked[position] = None
        self._replaced.add(position)


def find_token(day: Day, token_id: str) -> Token:
    token = day.token(token_id)
    if token is None:
        raise ValueError(f"Unknown token {token_id}.")
    return token


def held_places(day: Day, slot_id: str) -> int:
    """Places held in the slot by its seated and completed tokens, as placement counts them."""
    return day.index.held[day.position(slot_id)]


def seated_places(day: Day, slot_id: str) -> int:
    """Places held in the slot by its seated tokens (booked, checked in or called)."""
    held = day.index.holders[day.position(slot_id)]
    return sum(token.places for token in held if token.status in SEATED)


def available_places(day: Day, slot_id: str) -> int:
    """Places the slot still has free: capacity minus held places, never below 0."""
    return max(0, day.slot(slot_id).capacity - held_places(day, slot_id))


def is_overbooked(day: Day, slot_id: str) -> bool:
    """True when emergencies have pushed the slot's held places over its capacity."""
    return held_places(day, slot_id) > day.slot(slot_id).capacity


def _index_of(slots: tuple[Slot, ...], tokens: Iterable[Token]) -> SlotIndex:
    ordered = tuple(sorted(slots, key=lambda slot: slot.start))
    by_slot: dict[str | None, list[Token]] = {slot.id: [] for slot in ordered}
    for token in tokens:
        if token.status in HOLDS_PLACE:
            # try, not a second lookup or dict.get: this loop is most of indexing's cost.
            try:  # noqa: SIM105
                by_slot[token.slot_id].append(token)
            except KeyError:
                pass  # a place in a slot this day does not have counts nowhere
    holders = tuple(by_slot[slot.id] for slot in ordered)
    return SlotIndex(
        slots=ordered,
        positions={slot.id: position for position, slot in enumerate(ordered)},
        holders=holders,
        held=tuple(sum(token.places for token in held) for held in holders),
        ranked=[None] * len(ordered),
    )
