"""Streaming an export file: its JSON array's items in batches, never the whole file in memory."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import ijson

from service.seed.validate import Issue, LoadError

_READ_SIZE = 256 * 1024
_WHITESPACE = b" \t\r\n"


def read_batches(path: Path, size: int) -> Iterator[tuple[list[Any], int]]:
    """Yield the items of the JSON array in `path`, `size` at a time, each batch with the bytes read so far.

    Malformed JSON raises LoadError naming the record being read.
    """
    name = path.name
    with path.open("rb") as file:
        head = file.read(_READ_SIZE).lstrip(_WHITESPACE)
        if not head.startswith(b"["):
            raise LoadError.from_issues([Issue(name, "expected a JSON array of records ('[ {...}, ... ]')")])
        file.seek(0)
        items = ijson.items(file, "item", buf_size=_READ_SIZE)
        index = 0
        while True:
            batch: list[Any] = []
            try:
                # On a parse error, extend() keeps the items it had appended: len(batch) places the error.
                batch.extend(islice(items, size))
            except (ijson.JSONError, UnicodeDecodeError) as err:
                issue = Issue(name, f"malformed JSON: {_reason(err)}", index + len(batch))
                raise LoadError.from_issues([issue]) from None
            if not batch:
                return
            index += len(batch)
            yield batch, file.tell()


def _reason(err: Exception) -> str:
    """The parser's first line only: yajl's later lines quote the text around, maybe personal data."""
    arg = err.args[0] if err.args else ""
    text = arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)
    lines = text.strip().splitlines()
    return lines[0] if lines else type(err).__name__
