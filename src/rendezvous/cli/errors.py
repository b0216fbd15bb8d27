"""How the command line reports: one line per error on stderr, the exit status, and signals.

Exit status: 0 success; 2 bad input or a flight that cannot be flown (``error:`` line naming the
flag and the fix); 1 a failure of the machine (a full disk) or an unexpected error (one line and a
hint to rerun with ``--debug``); 128 + N when stopped by signal N (130 SIGINT, 143 SIGTERM,
129 SIGHUP), after the temporary output has been removed.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

from .parser import API_COMMANDS, FLAGS

BAD_INPUT = 2
FAILURE = 1

_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)

# Errors that mean "what you asked for cannot be done": exit 2. Other OSErrors (a full disk, an
# I/O error) are the machine's: exit 1, still one line.
_INPUT_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    FileExistsError,
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)


class UsageError(ValueError):
    """Bad input found by the command line itself; the message already names the flag."""


class Stopped(KeyboardInterrupt):
    """Raised in the main thread when SIGINT, SIGTERM or SIGHUP arrives."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def escape(text: str) -> str:
    """``text`` with control and other unprintable characters (terminal escapes, line breaks of
    every kind) written as Python escapes, so a message from a file cannot drive the terminal."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def _flags_for_parameters(msg: str) -> str:
    """Library messages name parameters (``launch: ...``, ``launch 2025-04-08T06:47Z: ...``,
    ``pass allow_stale=True``, ```scheme```) and functions; the user typed flags and commands.
    Rewrite through :data:`FLAGS` and :data:`API_COMMANDS`."""
    for param, flag in FLAGS.items():
        msg = re.sub(rf"^{param}(?=[: ])", flag, msg)
        msg = re.sub(rf"(?<![\w.-]){param}=(True|False)\b", flag, msg)
        msg = msg.replace(f"`{param}`", flag)
    for api, command in API_COMMANDS.items():
        msg = re.sub(rf"{re.escape(api)}\b", command, msg)
    return msg


def user_message(exc: BaseException) -> str:
    """The one line (without ``error:``) that tells the user what went wrong and what to do."""
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:  # not "[Errno 28] ..."
        text = exc.strerror + (f": {exc.filename}" if exc.filename is not None else "")
    first = text.split("\n")[0] if text.strip() else type(exc).__name__
    return escape(_flags_for_parameters(first))


def report(exc: BaseException, *, debug: bool) -> int:
    """Print the one line for ``exc`` (the traceback too with ``debug``); return the exit
    status."""
    if isinstance(exc, Stopped | KeyboardInterrupt):
        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        name = signal.Signals(signum).name
        print(f"error: stopped by {name}; no partial output was left", file=sys.stderr)
        return 128 + int(signum)
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, _INPUT_ERRORS):
        print(f"error: {user_message(exc)}", file=sys.stderr)
        return BAD_INPUT
    if isinstance(exc, OSError) or type(exc).__module__.startswith("rendezvous."):
        # the machine's failure (a full disk) or one the package names (an unreachable cluster)
        print(f"error: {user_message(exc)}", file=sys.stderr)
        return FAILURE
    hint = "" if debug else "; rerun with --debug for the traceback"
    print(
        f"error: unexpected {type(exc).__name__}: {user_message(exc)} (a bug: please report "
        f"it{hint})",
        file=sys.stderr,
    )
    return FAILURE


def _stop(signum: int, _frame: FrameType | None) -> None:
    for s in _SIGNALS:  # one signal is enough: let the clean-up run undisturbed
        signal.signal(s, signal.SIG_IGN)
    raise Stopped(signum)


@contextlib.contextmanager
def signals_stop_the_run() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`Stopped` in the main thread (so ``finally``
    blocks remove temporary output), restoring the previous handlers afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in _SIGNALS}
    for s in _SIGNALS:
        signal.signal(s, _stop)
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
