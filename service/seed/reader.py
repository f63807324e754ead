"""Streaming an export file: its JSON array's items in batches, never the whole file in memory.

Reading is done a block of whole records at a time where it can be: a raw newline never occurs inside
a JSON string, so `},` at the end of a line ends a record of a pretty-printed array, and the records
before it parse in one call (pydantic-core's parser, about twice as fast as a streaming one). If a block
does not parse, or holds no such line (a one-line file), the file is read on from the first record not
yet yielded by the streaming parser (ijson), which names the record where malformed JSON is, exactly as
if it had read the file from the start: the blocks that parsed were the same records either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

import ijson
from pydantic_core import from_json

from service.seed.validate import Issue, LoadError

_READ_SIZE = 256 * 1024
_BLOCK_SIZE = 4 * 2**20
_WHITESPACE = b" \t\r\n"
_RECORD_ENDS = (b"},\n", b"},\r\n")


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
        blocks = _Blocks(file)
        index = 0
        for records, bytes_read in blocks:
            for start in range(0, len(records), size):
                batch = records[start:start + size]
                index += len(batch)
                yield batch, bytes_read
        if blocks.resume_at is not None:
            file.seek(blocks.resume_at)
            yield from _stream(name, _Prefixed(b"[", file), size, index)


class _Blocks:
    """The array's records, parsed a block of whole records at a time while that works.

    When it stops working, `resume_at` is the file offset of the first record not yielded (the array
    continues there, after its separating comma).
    """

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self.resume_at: int | None = None

    def __iter__(self) -> Iterator[tuple[list[Any], int]]:
        data = self._file.read(_BLOCK_SIZE)
        opening = len(data) - len(data.lstrip(_WHITESPACE)) + 1  # past the '['
        offset, data = opening, data[opening:]  # offset: where `data` starts in the file
        while True:
            block = self._file.read(_BLOCK_SIZE)
            data += block
            if block:
                cut = max(data.rfind(end) for end in _RECORD_ENDS)
                if cut < 0:
                    if len(data) > 4 * _BLOCK_SIZE:  # no line ends a record: not pretty-printed
                        self.resume_at = offset
                        return
                    continue
                body, rest = data[:cut + 1] + b"]", cut + 2  # through the record's '}'; after its ','
            else:
                body, rest = data, len(data)  # the last records and the array's ']'
            try:
                # values are mostly unique ids: caching them would cost more than it saves
                records = from_json(b"[" + body, allow_inf_nan=False, cache_strings="keys")
            except ValueError:
                records = None
            if not isinstance(records, list):
                self.resume_at = offset
                return
            yield records, offset + rest
            if not block:
                return
            offset, data = offset + rest, data[rest:]


class _Prefixed:
    """A file read from its current position, with `prefix` read first."""

    def __init__(self, prefix: bytes, file: IO[bytes]) -> None:
        self._prefix, self._file = prefix, file

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson reads nothing first, to learn whether the file gives bytes
            return b""
        out, self._prefix = self._prefix, b""
        return out + self._file.read(size if size < 0 else max(size - len(out), 1))

    def tell(self) -> int:
        return self._file.tell()


def _stream(name: str, file: _Prefixed, size: int, index: int) -> Iterator[tuple[list[Any], int]]:
    """The streaming parser's batches; `index` is the position in the file's array of the first item."""
    items = ijson.items(file, "item", buf_size=_READ_SIZE)
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
