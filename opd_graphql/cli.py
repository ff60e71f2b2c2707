"""opd-graphql serve | simulate | export-schema | bench"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from opd_graphql.bench import cli as bench
from opd_graphql.sim import cli as simulate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="opd-graphql", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="run the API (on the embedded database by default)")
    serving.add_argument("--host", default="127.0.0.1")
    serving.add_argument("--port", type=int, default=8000)
    simulate.add_command(commands)
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path, help="write it to this file instead")
    bench.add_command(commands)
    args = parser.parse_args(argv)

    if args.command == "serve":
        from opd_graphql.server import UnsafeBind, serve

        try:
            serve(args.host, args.port)
        except UnsafeBind as refused:
            parser.exit(2, f"opd-graphql: {refused}\n")
    elif args.command == "simulate":
        return simulate.run(args)
    elif args.command == "bench":
        return bench.run(args)
    elif args.command == "export-schema":
        from opd_graphql.api.schema import schema

        sdl = schema.as_str() + "\n"
        if args.output:
            args.output.write_text(sdl)
        else:
            sys.stdout.write(sdl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
