"""One way for every command to put its output on disk without losing anyone's data.

``output_dir(target, command)`` yields a fresh temporary directory beside ``target``; when
the block ends without error it is renamed to ``target``, so a reader sees a whole output
or none.  Each output holds a marker, ``.ccsim-output`` (JSON: the command that wrote it,
the ccsim version and the files it wrote).  An existing target is replaced only if it is
empty, or holds that marker and no file the marker does not list; never the input itself,
a directory that holds an input, or the current directory.

Temporary directories (``.NAME.PID.ccsim.tmp``, and ``.NAME.PID.ccsim.old`` while an old
output is swapped out) hold the marker from their first moment.  They are removed when
the block raises (the CLI turns SIGTERM into an exception) and, after a kill -9, by the
next command that writes beside them once their process is gone.  A target that cannot
be written (read-only, full, an impossible path) is a ParamError in one line.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from contextlib import contextmanager, suppress
from pathlib import Path

from ccsim import __version__, stopping
from ccsim.params import ParamError

MARKER = ".ccsim-output"
_LEFTOVER = re.compile(r"^\..+\.(\d+)\.ccsim\.(tmp|old)$")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file beside it, fsync, rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_block(path: Path, start: str, end: str, text: str) -> None:
    """Replace what lies between the ``start`` and ``end`` markers of the text file ``path``
    with ``text`` (the markers stay), all at once (write_atomic)."""
    before, rest = Path(path).read_text().split(start)
    _, after = rest.split(end)
    write_atomic(path, f"{before}{start}\n{text}\n{end}{after}".encode())


def odd_section_command(doc: str, write) -> None:
    """The command line of a script that writes a generated section of docs/ODD.md
    (experiments/): ``DIRECTORY [--odd FILE]``, then ``write(directory, odd)``."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--odd", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "ODD.md")
    args = parser.parse_args()
    write(args.directory, args.odd)


def check_target(target: Path, inputs=(), option: str = "--out") -> None:
    """Raise ParamError (one line) unless ccsim may put an output at ``target``."""
    try:
        _check_target(Path(target), inputs, option)
    except OSError as error:
        raise _cannot_write(Path(target), option, error) from None


def _check_target(target: Path, inputs, option: str) -> None:
    where = f"{option} {target}"
    full = target.absolute()
    resolved = full.resolve()
    for given in [Path.cwd(), *inputs]:
        given = Path(given).resolve()
        if given == resolved or resolved in given.parents:
            what = "the current directory" if given == Path.cwd().resolve() else str(given)
            raise ParamError(f"{where}: is or holds {what}; allowed: a directory that holds "
                             f"none of ccsim's inputs")
    if full.is_symlink():
        raise ParamError(f"{where}: is a symbolic link; allowed: a new directory, or one "
                         f"ccsim wrote")
    if not full.exists():
        return
    if not full.is_dir():
        raise ParamError(f"{where}: exists and is not a directory; allowed: a new directory, "
                         f"or one ccsim wrote")
    written = _marker(full)
    if written is None:
        if next(full.iterdir(), None) is None:
            return
        raise ParamError(f"{where}: exists and is not an earlier ccsim output; allowed: a new or "
                         f"empty directory, or one ccsim wrote")
    foreign = sorted(set(_files(full)) - set(written) - {MARKER})
    if foreign:
        raise ParamError(f"{where}: holds {foreign[0]!r}, which ccsim did not write; move it "
                         f"away or choose another directory")


@contextmanager
def output_dir(target, command: str, inputs=(), option: str = "--out"):
    """Yield a temporary directory that becomes ``target`` when the block succeeds."""
    target = Path(target).absolute()
    created: list[Path] = []
    try:
        check_target(target, inputs, option)
        created = [p for p in reversed(target.parents) if not p.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target.parent)
        tmp = target.parent / f".{target.name}.{os.getpid()}.ccsim.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        _write_marker(tmp, command, [])
    except OSError as error:
        _remove_made(created)
        raise _cannot_write(target, option, error) from None
    try:
        yield tmp
        stopping.check()
        _write_marker(tmp, command, _files(tmp))
        _put_in_place(tmp, target)
    except BaseException as error:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_made(created)
        if isinstance(error, OSError):
            raise _cannot_write(target, option, error) from None
        raise


def remove_leftovers(directory: Path) -> None:
    """Remove temporary outputs in ``directory`` whose ccsim process is gone (a kill -9)."""
    with suppress(OSError):
        for entry in os.scandir(directory):
            match = _LEFTOVER.match(entry.name)
            if match and entry.is_dir(follow_symlinks=False) and not _alive(int(match[1])):
                if _marker(Path(entry.path)) is not None:
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:   # killed between making it and marking it
                    with suppress(OSError):
                        os.rmdir(entry.path)


def _put_in_place(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.replace(tmp, target)
        return
    old = target.parent / f".{target.name}.{os.getpid()}.ccsim.old"
    os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _write_marker(directory: Path, command: str, files: list[str]) -> None:
    text = json.dumps({"written_by": f"ccsim {command}", "ccsim": __version__, "files": files},
                      indent=1)
    (directory / MARKER).write_text(text + "\n")


def _marker(directory: Path) -> list[str] | None:
    """The files a ccsim marker in ``directory`` lists, or None if there is no valid one."""
    try:
        data = json.loads((directory / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not str(data.get("written_by", "")).startswith("ccsim "):
        return None
    files = data.get("files")
    return [f for f in files if isinstance(f, str)] if isinstance(files, list) else None


def _files(directory: Path) -> list[str]:
    """Every file and directory under ``directory``, as paths relative to it."""
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _remove_made(created: list[Path]) -> None:
    """Remove the directories made for this output (innermost first) if still empty."""
    for parent in reversed(created):
        with suppress(OSError):
            parent.rmdir()


def _cannot_write(target: Path, option: str, error: OSError) -> ParamError:
    reason = error.strerror or errno.errorcode.get(error.errno or 0, "") or str(error)
    return ParamError(f"{option} {target}: cannot write there ({reason}); allowed: a "
                      f"directory on a disk with space that you may write to")
