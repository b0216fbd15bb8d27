"""The command line: ``rendezvous simulate | window | dispersions | compare`` (also
``python -m rendezvous`` and the thin ``scripts/*.py``, which take the same options).

Parsing (:mod:`.parser`) imports only the standard library, so ``--help`` is instant; the commands
(:mod:`.commands`) check every input before any work, claim the output folder, and write it all or
nothing. Every failure is one line on stderr (:mod:`.errors`, which also lists the exit statuses).
"""

from __future__ import annotations

import sys

__all__ = ["main", "simulate_main"]


def main(
    argv: list[str] | None = None, *, command: str | None = None, prog: str | None = None
) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit status.

    ``command`` runs one subcommand's parser alone (``scripts/simulate.py`` passes "simulate"),
    ``prog`` is the name shown in help and errors.
    """
    from .errors import report, signals_stop_the_run
    from .parser import parse

    try:
        args = parse(argv, command, prog)
    except SystemExit as done:  # --help, --version, or a bad argument (already reported)
        return done.code if isinstance(done.code, int) else 2
    with signals_stop_the_run():
        try:
            from .commands import RUN

            return RUN[args.command](args)
        except (Exception, KeyboardInterrupt) as exc:
            return report(exc, debug=args.debug)


def simulate_main(argv: list[str] | None = None) -> int:
    """``rendezvous simulate`` (kept for ``scripts/simulate.py`` and earlier callers)."""
    return main(argv, command="simulate", prog="simulate.py")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
