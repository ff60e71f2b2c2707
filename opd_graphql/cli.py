"""opd-graphql serve | export-schema"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="opd-graphql", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API (on the embedded database by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path, help="write it to this file instead")
    args = parser.parse_args(argv)

    if args.command == "serve":
        import uvicorn

        from opd_graphql.api.app import create_app
        from opd_graphql.core.logs import LOG_CONFIG

        uvicorn.run(create_app(), host=args.host, port=args.port, log_config=LOG_CONFIG)
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
