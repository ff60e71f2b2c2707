"""opd-graphql serve | simulate | export-schema | bench"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from opd_graphql.bench import cli as bench
from opd_graphql.core.config import VARIABLES, Settings, SettingsError
from opd_graphql.sim import cli as simulate

WIDTH = 79


def settings_help() -> str:
    """The OPD_* settings as a table, for `serve --help`."""
    name_width = max(len(v.name) for v in VARIABLES) + 2
    default_width = max(len(v.default or "(unset)") for v in VARIABLES) + 2
    indent = " " * (2 + name_width + default_width)
    lines = ["settings, from the environment (variable, default, meaning):"]
    for variable in VARIABLES:
        start = f"  {variable.name:<{name_width}}{variable.default or '(unset)':<{default_width}}"
        lines += textwrap.wrap(
            variable.meaning,
            WIDTH,
            initial_indent=start,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )
    return "\n".join(lines)


def port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="opd-graphql", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser(
        "serve",
        help="run the API (on the embedded database by default)",
        # Raw, for the table of settings; so wrapped here.
        description=textwrap.fill(
            "Run the API: GraphiQL at /graphql, the boards at /board/DOCTOR_ID and "
            "/board/department/NAME. With no OPD_MONGODB_URI, on the embedded database, "
            "started in OPD_DATA_DIR and stopped on exit.",
            WIDTH,
        ),
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serving.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default %(default)s; in open development mode only "
        "loopback, unless OPD_ALLOW_OPEN_NETWORK=true)",
    )
    serving.add_argument("--port", type=port, default=8000, help="default %(default)s")
    simulate.add_command(commands)
    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("--output", type=Path, help="write it to this file instead")
    bench.add_command(commands)
    args = parser.parse_args(argv)

    try:
        return _run(args)
    except SettingsError as error:
        return _refuse(args.command, error)
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        settings = Settings.from_env()  # a malformed value said before the slow imports
        from opd_graphql.server import CannotListen, UnsafeBind, serve
        from opd_graphql.store.connection import DatabaseUnavailable

        try:
            serve(args.host, args.port, settings)
        except (UnsafeBind, CannotListen, DatabaseUnavailable) as refused:
            return _refuse("serve", refused)
    elif args.command == "simulate":
        return simulate.run(args)
    elif args.command == "bench":
        return bench.run(args)
    elif args.command == "export-schema":
        from opd_graphql.api.schema import schema

        sdl = schema.as_str() + "\n"
        if args.output:
            try:
                args.output.write_text(sdl)
            except OSError as error:
                return _refuse("export-schema", f"cannot write {args.output}: {error.strerror}")
        else:
            sys.stdout.write(sdl)
    return 0


def _refuse(command: str, reason: object) -> int:
    print(f"opd-graphql {command}: {reason}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
