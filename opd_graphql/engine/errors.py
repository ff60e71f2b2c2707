"""What the engine refuses, as exceptions the service turns into user errors."""

from __future__ import annotations

from opd_graphql.engine.model import Status


class IllegalTransition(Exception):
    """A token was asked to change state in a way its current status forbids."""

    def __init__(self, token_id: str, status: Status, action: str) -> None:
        self.token_id = token_id
        self.status = status
        adjective = status.value.lower().replace("_", "-")
        article = "An" if adjective[0] in "aeiou" else "A"
        super().__init__(f"{article} {adjective} token cannot be {action}.")


class SlotUnusable(ValueError):
    """A token cannot be placed from the slot asked for: closed, ended or too small, or the
    day has no open slot that could hold it at all. `reason` says which, for a person."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
