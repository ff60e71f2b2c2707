"""The README's GraphQL blocks, as a reader pastes them into GraphiQL."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"


def blocks(section: str) -> list[str]:
    """The GraphQL blocks of the README section with this heading, in order."""
    text = README.read_text()
    start = text.index(f"## {section}")
    end = text.index("\n## ", start + 1)
    return re.findall(r"```graphql\n(.*?)```", text[start:end], re.DOTALL)


def filled(block: str, day: str, **ids: str) -> str:
    """The block with DATE and the named ids replaced, as the README asks the reader to."""
    block = block.replace('"DATE"', f'"{day}"')
    for name, value in ids.items():
        block = block.replace(f'"{name}"', f'"{value}"')
    return block
