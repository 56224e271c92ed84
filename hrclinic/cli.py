"""The ``hrclinic`` command: the GUI by default, and init, demo, verify, self-test."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from hrclinic import __version__
from hrclinic.errors import HrclinicError

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


class CommandError(HrclinicError):
    """A command-line problem with a one-line message."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"hrclinic: {message} (see: {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hrclinic",
        description="The treatment and psychotherapy record of a harm-reduction clinic.",
    )
    parser.add_argument("--version", action="version", version=f"hrclinic {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="the clinic's data folder (default: $HRCLINIC_DATA_DIR or the platform's user data folder)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    init = sub.add_parser("init", help="create a clinic and print its recovery key once")
    init.add_argument("--data-dir", type=Path, dest="sub_data_dir")
    init.add_argument("--clinic", required=True, help="the clinic's name")
    init.add_argument("--owner", required=True, help="the first owner's user name")
    init.add_argument("--owner-name", help="the owner's name as shown in the app (default: the user name)")
    init.add_argument("--password-stdin", action="store_true", help="read the owner's password from stdin")
    init.add_argument("--kit", type=Path, help="also save the Emergency Kit PDF here")

    demo = sub.add_parser("demo", help="create (or reopen) the demo clinic and open it")
    demo.add_argument("--data-dir", type=Path, dest="sub_data_dir")
    demo.add_argument("--no-gui", action="store_true", help="only create the demo data")

    verify = sub.add_parser("verify", help="check the database, encryption, key ring and audit chain")
    verify.add_argument("--data-dir", type=Path, dest="sub_data_dir")
    verify.add_argument("--user", required=True)
    verify.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    verify.add_argument(
        "--anchor",
        type=Path,
        action="append",
        default=[],
        help="also compare the audit chain with this saved anchor file (may be repeated)",
    )

    anchor = sub.add_parser(
        "anchor", help="save a signed anchor of the audit chain's end, to keep away from the clinic folder"
    )
    anchor.add_argument("--data-dir", type=Path, dest="sub_data_dir")
    anchor.add_argument("--user", required=True)
    anchor.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    anchor.add_argument("--out", type=Path, required=True, help="the anchor file to write")

    sub.add_parser("self-test", help="prove this installation works, in a temporary folder")

    bench = sub.add_parser("bench", help="measure the app on a synthetic clinic (table and JSON)")
    bench.add_argument("--size", choices=("solo", "clinic", "tiny"), default="solo")
    bench.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    bench.add_argument("--repeat", type=int, default=20, help="runs per operation (default 20)")
    return parser


def _read_password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        raw = sys.stdin.buffer.readline() if hasattr(sys.stdin, "buffer") else sys.stdin.readline().encode()
        try:
            password = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise CommandError("The password on standard input is not valid UTF-8 text.") from None
    elif sys.stdin.isatty():
        import getpass

        password = getpass.getpass(prompt)
    else:
        raise CommandError("Give the password on standard input with --password-stdin.")
    if not password:
        raise CommandError("No password was given on standard input.")
    return password


def _data_dir(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "sub_data_dir", None) or args.data_dir
    if chosen is not None:
        return Path(chosen).expanduser()
    from hrclinic.paths import default_data_dir

    return default_data_dir()


def _cmd_init(args: argparse.Namespace) -> int:
    from hrclinic.services.clinic import create_clinic

    data_dir = _data_dir(args)
    kit_path = None
    if args.kit:
        from hrclinic.services.emergency_kit import kit_destination

        kit_path = kit_destination(args.kit, data_dir=data_dir)  # refused before anything is created
    password = _read_password(args.password_stdin, "Owner password: ")
    created = create_clinic(
        data_dir,
        clinic_name=args.clinic,
        owner_username=args.owner,
        owner_password=password,
        owner_display_name=args.owner_name,
    )
    print(f"Created the clinic {args.clinic.strip()!r} in {data_dir}")
    print()
    print("RECOVERY KEY (shown once; hrclinic keeps no copy):")
    print()
    print(f"    {created.recovery_key}")
    print()
    print("Write it down or print it and keep it locked away from this computer. With it the")
    print("owner can reset any password and restore the clinic on a new machine.")
    if kit_path is not None:
        from hrclinic.services.emergency_kit import save_emergency_kit

        saved = save_emergency_kit(
            kit_path,
            clinic_name=args.clinic.strip(),
            owner_username=args.owner,
            recovery_key=created.recovery_key,
            data_dir=data_dir,
        )
        print(f"Emergency Kit saved to {saved}")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from hrclinic.demo.build import build_demo
    from hrclinic.demo.logins import login_hint
    from hrclinic.paths import default_demo_dir

    chosen = getattr(args, "sub_data_dir", None) or args.data_dir
    data_dir = Path(chosen).expanduser() if chosen else default_demo_dir()
    build_demo(data_dir, progress=lambda text: print(text, flush=True))
    print(f"Demo clinic ready in {data_dir}")
    print("Demo log-ins (user / password):")
    for line in login_hint().splitlines():
        print(f"  {line}")
    if args.no_gui:
        return EXIT_OK
    return _run_gui(data_dir, demo=True)


def _cmd_verify(args: argparse.Namespace) -> int:
    from hrclinic.services.verify import verify_clinic

    data_dir = _data_dir(args)
    anchors = [_read_anchor(path) for path in args.anchor]
    password = _read_password(args.password_stdin, "Password: ")
    report = verify_clinic(data_dir, args.user, password, anchors=anchors)
    if report.sound:
        print(report.summary())
        return EXIT_OK
    print(f"hrclinic verify: {report.summary()} in {data_dir}:", file=sys.stderr)
    shown = 20
    for problem in report.problems[:shown]:
        print(f"  - {problem}", file=sys.stderr)
    if len(report.problems) > shown:
        print(f"  ... and {len(report.problems) - shown} more", file=sys.stderr)
    return EXIT_PROBLEM


def _read_anchor(path: Path) -> Any:
    from hrclinic.vault.anchor import SignedAnchor

    try:
        return SignedAnchor.from_text(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"There is no anchor file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"The anchor file {path} cannot be read ({exc}).") from None
    except (ValueError, KeyError, TypeError):
        raise CommandError(f"{path} is not an hrclinic audit anchor (damaged or another file).") from None


def _cmd_anchor(args: argparse.Namespace) -> int:
    from hrclinic.services.witness import save_anchor

    data_dir = _data_dir(args)
    if not args.out.parent.is_dir():
        raise CommandError(f"The folder {args.out.parent} does not exist; nothing was saved.")
    password = _read_password(args.password_stdin, "Password: ")
    anchor = save_anchor(data_dir, args.user, password, args.out)
    print(f"Saved an anchor of audit row {anchor.seq} to {args.out}")
    print("Keep it away from the clinic folder; `hrclinic verify --anchor FILE` compares the chain with it.")
    return EXIT_OK


def _cmd_self_test(_args: argparse.Namespace) -> int:
    from hrclinic.selftest import run_core_self_test

    steps: list[str] = []

    def report(text: str) -> None:
        steps.append(text)
        print(f"  ok  {text}", flush=True)

    print(f"hrclinic {__version__} self-test", flush=True)
    run_core_self_test(report)
    gui_check = _gui_self_test()
    if gui_check:
        report(gui_check)
    print(f"self-test passed: {len(steps)} checks")
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    from hrclinic.bench.run import run_bench

    if args.repeat < 1:
        raise CommandError("--repeat must be at least 1.")
    gui = _frontend.bench_gui if _frontend else None
    run_bench(
        args.size, repeat=args.repeat, json_path=args.json, gui=gui, progress=lambda t: print(t, flush=True)
    )
    return EXIT_OK


@dataclass(frozen=True)
class Frontend:
    """What the desktop shell lends the command (injected, so the core never imports the UI)."""

    run_gui: Callable[[Path, bool], int]
    gui_self_test: Callable[[], str]
    bench_gui: Callable[[Any], dict[str, dict[str, list[float]]]] | None = None  # hrclinic bench


_frontend: Frontend | None = None


def _gui_self_test() -> str | None:
    return _frontend.gui_self_test() if _frontend else None


def _run_gui(data_dir: Path, *, demo: bool = False) -> int:
    if _frontend is None:
        raise CommandError("This installation has no desktop interface; use the command-line tools.")
    return _frontend.run_gui(data_dir, demo)


def main(argv: Sequence[str] | None = None, *, frontend: Frontend | None = None) -> int:
    """Run the command; every expected problem becomes one line on stderr and a non-zero exit."""
    global _frontend
    _frontend = frontend
    args = _parser().parse_args(argv)
    try:
        if args.command is None:
            return _run_gui(_data_dir(args))
        handler = {
            "init": _cmd_init,
            "demo": _cmd_demo,
            "verify": _cmd_verify,
            "anchor": _cmd_anchor,
            "self-test": _cmd_self_test,
            "bench": _cmd_bench,
        }[args.command]
        return handler(args)
    except HrclinicError as exc:
        where = f" ({exc.field.replace('_', ' ')})" if exc.field else ""
        print(f"hrclinic: {exc.message}{where}", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print("hrclinic: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"hrclinic: {exc.strerror or exc} ({exc.filename or 'file system'})", file=sys.stderr)
        return EXIT_PROBLEM
    except Exception as exc:
        if os.environ.get("HRCLINIC_DEBUG"):
            raise
        print(
            f"hrclinic: unexpected {type(exc).__name__}: {exc} (set HRCLINIC_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
