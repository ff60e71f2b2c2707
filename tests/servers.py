"""`opd-graphql serve` as a real child process, for tests that need a server over the wire."""

from __future__ import annotations

from opd_graphql.bench.server import ServeProcess as Server

__all__ = ["Server"]
