from __future__ import annotations

import strawberry

from opd_graphql.store import documents


@strawberry.type
class Patient:
    name: str
    phone: str | None

    @classmethod
    def from_document(cls, doc: documents.Patient) -> Patient:
        return cls(name=doc.name, phone=doc.phone)
