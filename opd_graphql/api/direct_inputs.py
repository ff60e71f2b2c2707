"""Input objects built straight from their GraphQL values.

Strawberry converts an input value field by field, resolving each field's type and
GraphQL name again on every request: about 0.1 ms for a booking's input. A field that
holds a scalar or an enum needs no converting, since graphql-core has already parsed it,
so a plan of the fields made once per input type does the same work directly.
Everything else (lists, nested inputs) is still converted by Strawberry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any, NamedTuple

import strawberry
from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
)
from strawberry.types.enum import has_enum_definition


class _Field(NamedTuple):
    graphql_name: str
    python_name: str
    type_: StrawberryType | type | None  # None: the value is used as it is


def build_inputs_directly(schema: strawberry.Schema) -> None:
    """Give every input type of `schema` a builder that skips the per-field conversion."""
    for entry in schema.schema_converter.type_map.values():
        definition = entry.definition
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
        ):
            definition.from_input = _builder(definition)


def _builder(
    definition: StrawberryObjectDefinition,
) -> Callable[[type, Mapping[str, Any], InputContext], Any]:
    # Made on first use, when every type the fields name has been defined.
    fields: list[_Field] = []
    # Strawberry passes None for fields without a default that the client left out.
    implicit = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }

    def build(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        if not fields:
            fields.extend(_plan(definition, context))
        kwargs = dict(implicit)
        for graphql_name, python_name, type_ in fields:
            if graphql_name in value:
                given = value[graphql_name]
                if type_ is not None:
                    given = context.convert(given, type_, graphql_name)
                kwargs[python_name] = given
        return cls(**kwargs)

    return build


def _plan(definition: StrawberryObjectDefinition, context: InputContext) -> list[_Field]:
    return [
        _Field(
            context.config.name_converter.from_field(field),
            field.python_name,
            _converted(field.resolve_type(type_definition=definition), context),
        )
        for field in definition.fields
    ]


def _converted(type_: StrawberryType | type, context: InputContext) -> StrawberryType | type | None:
    """The type to convert a field's value as, or None if it is used as graphql-core gives it."""
    plain = type_
    if isinstance(plain, StrawberryOptional) and not isinstance(plain, StrawberryMaybe):
        plain = plain.of_type
    if has_enum_definition(plain):
        return None
    if plain is not GlobalID and is_scalar(plain, context.scalar_registry):
        return None
    return type_
