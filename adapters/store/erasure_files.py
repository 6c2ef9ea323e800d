"""Erasure reaches the files: after a purge, no file the product wrote still names the person.

The store is not the only place a person's id lands: the outbox (``outbox/tasks.jsonl``, the
embedded receiver's file), the files receivers' batch files, an export left under the home.
:func:`rewrite_files` rewrites each of them with the person's id replaced by the pseudonym
the store's rows now carry (as :mod:`oversight.adapters.store.erasure` does, by whole word),
each through a temporary file renamed over it, its permissions kept. The files it reads:

- every regular file under the home (the store's folder), whatever wrote it;
- the files receivers' own files (their prefix, in their folder) and a jsonl receiver's file,
  wherever they were configured.

It leaves the SQLite store itself (compacted by :func:`compact_sqlite`, so that no freed page
still holds an old value) and files that are not text (named in the result, so a person can
look at them). The audit key and the anchors hold no person.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import Engine

from oversight.adapters.delivery.files import write_atomically  # as the files receiver writes
from oversight.adapters.store.personal_rows import pattern_for
from oversight.workflows.ports.personal_data import FilesRewritten

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def product_files(home: Path, receivers: Iterable[tuple[Path, str | None]] = ()
                  ) -> Iterator[Path]:
    """Every file under ``home``, then each receiver's: ``(folder, prefix)`` (the files whose
    name starts with ``prefix``; None: ``folder`` is itself the file)."""
    seen: set[Path] = set()

    def once(path: Path) -> Iterator[Path]:
        resolved = path.resolve()
        if resolved not in seen and path.is_file() and not path.is_symlink():
            seen.add(resolved)
            yield path

    if home.is_dir():
        for root, _, names in os.walk(home):
            for name in sorted(names):
                yield from once(Path(root) / name)
    for place, prefix in receivers:
        if prefix is None:
            yield from once(place)
        elif place.is_dir():
            for path in sorted(place.iterdir()):
                if path.name.startswith(prefix):
                    yield from once(path)


def _is_store(path: Path) -> bool:
    if path.name.endswith(SQLITE_SIDE_FILES):
        return True
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def rewrite_files(paths: Iterable[Path], renames: dict[str, str]) -> FilesRewritten:
    """Each file in ``paths`` that names a person in ``renames`` (id to pseudonym) rewritten
    with the pseudonym in its place."""
    done = FilesRewritten()
    patterns = [(pattern_for(person), pseudonym) for person, pseudonym in renames.items()]
    if not patterns:
        return done
    for path in paths:
        if _is_store(path):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            done.not_text.append(str(path))
            continue
        lines = text.splitlines(keepends=True)
        changed = 0
        for number, line in enumerate(lines):
            new = line
            for pattern, pseudonym in patterns:
                new = pattern.sub(pseudonym, new)
            if new != line:
                lines[number], changed = new, changed + 1
        if changed:
            write_atomically(path, "".join(lines), mode=path.stat().st_mode & 0o777)
            done.changed[str(path)] = changed
    return done


def compact_sqlite(engine: Engine) -> None:
    """A SQLite store rebuilt (VACUUM) and its write-ahead log emptied: the pages an erasure
    freed or rewrote no longer hold the old values in the file. PostgreSQL's own VACUUM and
    its WAL are the server's (``docs/audit-chain.md``)."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


__all__ = ["FilesRewritten", "compact_sqlite", "product_files", "rewrite_files"]
