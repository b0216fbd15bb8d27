"""Output folders and files written all or nothing, claimed before the work.

A run that writes a folder first *claims* it (:func:`claim_output_folder`): it checks the target
(not a symlink, not a file, not read-only, not the working folder or one above it, empty unless the
caller allows overwriting, and even then only a folder an earlier run wrote: every folder written
here holds the small file :data:`MARKER`, so a user's own folder given by mistake is never deleted)
and takes an exclusive lock beside it (``.NAME.lock``, an advisory ``flock`` the kernel drops if
the process dies, so a killed run never blocks the next one). Two runs aimed at one folder can
therefore never both succeed: the second is refused before it starts work.

The files are then written into a temporary folder beside the target (``.NAME.tmp-XXXXXXXX``) which
is renamed into place at the end (:func:`write_folder_atomic`). Replacing an existing folder moves
it aside, renames the new one in and removes the old one with SIGINT, SIGTERM and SIGHUP blocked,
so a signal can neither leave the target missing nor the old folder behind; any failure before that
removes the temporary folder. Files and folders get the user's ordinary permissions (``0o666`` and
``0o777`` less the umask), not the private ``0o600``/``0o700`` of :mod:`tempfile`.

Errors are ``OSError`` subclasses or ``ValueError`` whose message starts with the parameter name
(``out_dir:`` or ``path:``), names the path and says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import stat
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: fall back to an exclusive lock file
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "MARKER",
    "OutputFolderWarning",
    "OutputWriteError",
    "RUN_FILES",
    "check_output_folder",
    "check_output_file",
    "claim_output_folder",
    "write_file_atomic",
    "write_folder_atomic",
]

_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_held: dict[Path, int] = {}  # claimed folders of this process -> lock file descriptor


MARKER = ".rendezvous-output"
"""The file :func:`write_folder_atomic` leaves in every folder it writes: ``overwrite`` replaces
only a folder that holds it (or, written before it existed, only files a run writes), so a user's
own folder given by mistake is never deleted."""

RUN_FILES = frozenset(
    {
        *("timeline.txt", "summary.json", "trajectory.csv", "trajectory.npz", "burns.csv"),
        *("ship.oem", "station.oem", "flight.czml", "view.html", "approach.gif", "approach.mp4"),
        *("overview.png", "ground_track.png", "lvlh.png", "range.png", "timeline.png"),
        *("report.txt", "dispersions.json", "samples.npz", "dispersion_histograms.png"),
        *("dispersion_lvlh.png", "dispersion_contact.png"),
    }
)
"""What runs of earlier versions wrote (``simulate``, ``dispersions``), before :data:`MARKER`."""


class OutputWriteError(OSError):
    """Writing the output failed; the message names the parameter and the target, not the
    temporary folder (``errno`` is kept)."""

    def __str__(self) -> str:
        return str(self.strerror)


class OutputFolderWarning(UserWarning):
    """The new output is in place but the old folder it replaced could not be removed."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _writable(path: Path) -> bool:
    """Writable by us, and not marked read-only (root passes ``os.access`` whatever the mode)."""
    return os.access(path, os.W_OK) and bool(path.lstat().st_mode & 0o222)


def _normal(path: str | os.PathLike[str], name: str) -> Path:
    text = os.fspath(path)
    if not text.strip():
        raise ValueError(f"{name}: got an empty path; give a path")
    if "\0" in text:
        raise ValueError(f"{name}: the path holds a NUL character; give a plain path")
    return Path(os.path.abspath(text))


def check_output_folder(out_dir: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Check that ``out_dir`` can become our output folder; return it as an absolute path.

    Raises ``ValueError`` for an empty path or the working folder (or a folder above it),
    ``FileExistsError`` if it is a symlink, a file, a folder holding files while ``overwrite`` is
    False, or (even with ``overwrite``) a folder holding files no run wrote (no :data:`MARKER`,
    and an entry that is not a regular file of :data:`RUN_FILES`: a user's own folder given by
    mistake is never replaced), ``PermissionError`` if it, a folder inside it or its parent is
    read-only. Each message names the path.
    """
    out = _normal(out_dir, "out_dir")
    cwd = Path.cwd()
    if out == cwd or out in cwd.parents:
        raise ValueError(
            f"out_dir: {out} is the working folder or holds it; choose a new folder inside it"
        )
    if out.is_symlink():
        raise FileExistsError(f"out_dir: {out} is a symbolic link; give a real folder path")
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"out_dir: {out} exists and is not a folder; give a folder path")
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise FileExistsError(f"out_dir: {parent} is not a folder; give a path inside a folder")
    if not _writable(parent):
        raise PermissionError(
            f"out_dir: cannot write in {parent} (read-only); choose another folder"
        )
    if not out.is_dir():
        return out
    if any(out.iterdir()) and not overwrite:
        raise FileExistsError(
            f"out_dir: {out} already holds files; pass overwrite=True to replace them or choose "
            "another folder"
        )
    for folder in [out, *(p for p in out.rglob("*") if p.is_dir() and not p.is_symlink())]:
        if not _writable(folder):
            raise PermissionError(
                f"out_dir: {folder} is read-only, so {out} cannot be replaced; make it writable "
                "or choose another folder"
            )
    foreign = _not_ours(out)
    if foreign:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise FileExistsError(
            f"out_dir: {out} holds files no run wrote ({shown}); overwrite=True replaces only "
            "the folder of an earlier run: choose another folder"
        )
    return out


def _not_ours(out: Path) -> list[str]:
    """The entries of the folder ``out`` that tell it was not written by a run (sorted names):
    none if it holds :data:`MARKER`, else every entry that is not a regular file of
    :data:`RUN_FILES`."""
    if (out / MARKER).is_file():
        return []
    return sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in out.iterdir()
        if p.name not in RUN_FILES or p.is_symlink() or not p.is_file()
    )


def check_output_file(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Check that ``path`` can be written by :func:`write_file_atomic`; return it absolute.

    The folder must exist and take a new file (tried with a temporary file, which is removed);
    an existing path must be a regular file, not a symlink, and is replaced only with
    ``overwrite``.
    """
    out = _normal(path, "path")
    if out.is_symlink():
        raise FileExistsError(f"path: {out} is a symbolic link; give a plain file path")
    if out.exists():
        if not out.is_file():
            raise FileExistsError(f"path: {out} exists and is not a regular file; give a file path")
        if not overwrite:
            raise FileExistsError(
                f"path: {out} exists; pass overwrite=True to replace it or choose another file"
            )
    if not out.parent.is_dir():
        raise FileNotFoundError(f"path: folder {out.parent} does not exist; create it first")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise PermissionError(
            f"path: cannot create a file in {out.parent} ({exc.strerror or exc}); "
            "choose another folder"
        ) from None
    return out


def write_file_atomic(
    path: str | os.PathLike[str], data: bytes | str, *, overwrite: bool = True
) -> None:
    """Write ``data`` to ``path`` all or nothing: a temporary file beside it, renamed into place,
    with the user's ordinary permissions (``0o666`` less the umask). Without ``overwrite`` an
    existing ``path`` is never replaced, even one that appears while writing (``FileExistsError``).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _link_new(tmp: str, path: Path) -> None:
    """Give ``tmp``'s file the name ``path`` unless that exists (atomically where the file system
    has hard links)."""
    appeared = FileExistsError(f"path: {path} appeared while this run worked; nothing was replaced")
    try:
        os.link(tmp, path)  # fails if path exists: no window between the check and the write
    except FileExistsError:
        raise appeared from None
    except OSError as exc:  # no hard links here (some network or FAT file systems)
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if path.exists():
            raise appeared from None
        os.replace(tmp, path)


def _lock(out: Path) -> int:
    """Take the lock ``.NAME.lock`` beside ``out``; return its file descriptor."""
    lock = out.parent / f".{out.name}.lock"
    busy = FileExistsError(
        f"out_dir: another run is writing {out} (lock {lock}); wait for it to finish or choose "
        "another folder"
    )
    for _ in range(100):
        if fcntl is None:  # pragma: no cover
            try:
                return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o666)
            except FileExistsError:
                raise busy from None
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise busy from None
        try:  # the file we locked is still the one at that path (not unlinked by its last holder)
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
    raise busy  # pragma: no cover


@contextlib.contextmanager
def claim_output_folder(
    out_dir: str | os.PathLike[str], *, overwrite: bool = False
) -> Iterator[Path]:
    """Claim ``out_dir`` for this process until the block ends: check it
    (:func:`check_output_folder`) and hold the lock beside it, so that no other run can write it
    meanwhile. :func:`write_folder_atomic` inside the block uses the claim. Yields the absolute
    path. Claims nest: an inner claim of a folder this process holds is a no-op."""
    out = _normal(out_dir, "out_dir")
    if out in _held:
        yield out
        return
    check_output_folder(out, overwrite=overwrite)
    made = [p for p in out.parents if not p.exists()]  # created here, removed again on failure
    fd = None
    try:
        with _signals_blocked():  # a signal arriving now is raised after fd is recorded
            out.parent.mkdir(parents=True, exist_ok=True)
            fd = _held[out] = _lock(out)
        check_output_folder(out, overwrite=overwrite)  # again, now that nobody else can change it
        yield out
    finally:
        with _signals_blocked():
            _release(out, fd, made)


def _release(out: Path, fd: int | None, made: list[Path]) -> None:
    """Drop the claim of ``out``: the lock, and the parent folders made for it if it failed."""
    if fd is not None:
        del _held[out]
        with contextlib.suppress(OSError):
            os.unlink(out.parent / f".{out.name}.lock")
        os.close(fd)
    if not out.exists():
        for folder in made:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP (delivered when the block ends)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _swap_in(tmp: Path, out: Path, tag: str, overwrite: bool) -> None:
    """Rename ``tmp`` to ``out``. Without ``overwrite`` only a missing or empty ``out`` is
    replaced; with it, an existing ``out`` is moved aside first and removed after."""
    if not overwrite or not out.exists():
        try:
            tmp.rename(out)
        except OSError as exc:  # someone filled the folder meanwhile despite the lock
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise FileExistsError(
                    f"out_dir: {out} was filled by someone else while this run worked; "
                    "nothing was replaced"
                ) from None
            raise
        return
    old = out.with_name(f".{out.name}.old-{tag}")
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise

    def retry(func: Callable[..., object], path: str, _exc: object) -> None:
        os.chmod(os.path.dirname(path) or ".", stat.S_IRWXU)
        func(path)

    try:
        if sys.version_info >= (3, 12):  # onerror is deprecated from 3.12 (onexc replaces it)
            shutil.rmtree(old, onexc=retry)
        else:
            shutil.rmtree(old, onerror=retry)
    except OSError as exc:  # the new output is in place: say so, do not fail
        warnings.warn(
            f"out_dir: the new output is in {out}, but the old folder {old} could not be removed "
            f"({exc.strerror or exc}); remove it by hand",
            OutputFolderWarning,
            stacklevel=3,
        )


def write_folder_atomic(
    out_dir: str | os.PathLike[str],
    write: Callable[[Path], object],
    *,
    overwrite: bool = False,
) -> list[Path]:
    """Fill ``out_dir`` all or nothing: ``write(tmp)`` writes into a temporary folder beside it,
    which is renamed into place at the end (an existing folder is replaced only with
    ``overwrite``). Claims the folder (:func:`claim_output_folder`) unless the caller already
    holds it. Returns the final paths, sorted.

    An ``OSError`` while writing (a full disk, say) is raised again naming ``out_dir``, not the
    temporary folder.
    """
    with claim_output_folder(out_dir, overwrite=overwrite) as out:
        tmp = None
        try:
            with _signals_blocked():  # a signal arriving now is raised after tmp is recorded
                tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
            tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the result is an ordinary one
            try:
                write(tmp)
                (tmp / MARKER).write_text(
                    "written by rendezvous: overwrite=True (--overwrite) may replace this folder\n"
                )
            except OutputWriteError:
                raise
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise OutputWriteError(
                    exc.errno, f"out_dir: cannot write {out}: {reason}; nothing was written"
                ) from exc
            with _signals_blocked():
                _swap_in(tmp, out, tmp.name[-8:], overwrite)
        finally:
            if tmp is not None:
                with _signals_blocked():
                    shutil.rmtree(tmp, ignore_errors=True)
        return sorted(p for p in out.iterdir() if p.name != MARKER)
