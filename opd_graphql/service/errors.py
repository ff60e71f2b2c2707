"""Expected failures of a use case. The API turns each into its typed GraphQL error."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    pass
