"""One export file as batches of checked COPY rows: read, validated, cross-referenced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from service.seed.progress import FileProgress
from service.seed.reader import read_batches
from service.seed.records import RecordKind, Row
from service.seed.validate import Issue, LoadError, References, shape_issues, split_valid

BATCH_SIZE = 10_000
MAX_ISSUES = 20  # problems reported from the first bad file before giving up


def checked_batches(
    kind: RecordKind, path: Path, references: References, bar: FileProgress, *, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[list[Row], int]]:
    """The file's records as COPY rows, a batch at a time with the bytes read so far; raises LoadError
    if any record is bad.

    A batch is validated by pydantic in one call, then checked against the ids of earlier files
    (`references`, which remembers this file's ids for the files after it). After the first bad
    record nothing more is yielded, but later batches are still checked so that one run reports
    up to MAX_ISSUES problems of this file, in record order.
    """
    issues: list[Issue] = []
    start = 0
    for batch, bytes_read in read_batches(path, batch_size):
        try:
            rows = list(map(kind.to_row, kind.batch.validate_python(batch)))
        except ValidationError as err:
            issues += shape_issues(kind, batch, start, err)
            positions, rows = split_valid(kind, batch, err)
            issues += references.explain(kind, rows, positions, start)
        else:
            if issues or not references.accept(kind, rows):
                found = references.explain(kind, rows, range(len(rows)), start)
                if not found and not issues:  # accept and explain disagree: a bug here, not in the data
                    found = [Issue(kind.file, "refused by the reference checks without a reason", start)]
                issues += found
        start += len(batch)
        bar.update(bytes_read, start)
        if len(issues) >= MAX_ISSUES:
            break
        if not issues:
            yield rows, bytes_read
    if issues:
        issues.sort(key=lambda issue: issue.index or 0)
        raise LoadError.from_issues(issues[:MAX_ISSUES], more=len(issues) >= MAX_ISSUES)
