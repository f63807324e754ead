"""Progress of a load on stderr: a line per file (bytes read, rows, what happens to it now) and per step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Protocol

from rich.console import Console
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn
from rich.text import Text


class FileProgress(Protocol):
    def update(self, bytes_read: int, rows: int) -> None: ...

    def status(self, text: str) -> None: ...

    def done(self) -> None: ...


class LoadProgress(Protocol):
    def file(self, name: str, size: int) -> FileProgress: ...

    def step(self, description: str) -> AbstractContextManager[None]: ...


class _Silent:
    def file(self, name: str, size: int) -> _Silent:
        return self

    def step(self, description: str) -> AbstractContextManager[None]:
        return nullcontext()

    def update(self, bytes_read: int, rows: int) -> None:
        pass

    def status(self, text: str) -> None:
        pass

    def done(self) -> None:
        pass


class _RichFile:
    def __init__(self, progress: Progress, task: TaskID, size: int) -> None:
        self._progress, self._task, self._size = progress, task, size

    def update(self, bytes_read: int, rows: int) -> None:
        # Bytes stop one read-buffer short of the end until the last batch: keep the bar honest.
        self._progress.update(self._task, completed=min(bytes_read, self._size - 1), rows=rows)

    def status(self, text: str) -> None:
        self._progress.update(self._task, status=text)

    def done(self) -> None:
        self._progress.update(self._task, completed=self._size, status="done")


class _RichLoad:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def file(self, name: str, size: int) -> _RichFile:
        total = max(size, 1)
        return _RichFile(self._progress, self._progress.add_task(name, total=total, rows=0, status="reading"), total)

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        task = self._progress.add_task(description, total=1, rows=None, status="", step=True)
        try:
            yield
        finally:
            self._progress.update(task, completed=1, status="done")


class _ReadColumn(ProgressColumn):
    """How much of a file has been read: '42% of 374.6 MB' (nothing for steps)."""

    def render(self, task: Task) -> Text:
        if task.fields.get("step") or not task.total:
            return Text("")
        return Text(f"{task.percentage:>3.0f}% of {decimal(int(task.total))}")


class _RowsColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows")
        return Text("" if rows is None else f"{rows:>10,}")


@contextmanager
def load_progress(enabled: bool) -> Iterator[LoadProgress]:
    """Bars on stderr when enabled, else a silent stand-in with the same methods."""
    if not enabled:
        yield _Silent()
        return
    progress = Progress(
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description:<24}"),
        BarColumn(bar_width=12),
        _ReadColumn(),
        _RowsColumn(),
        TextColumn("{task.fields[status]}"),
        console=Console(stderr=True),
    )
    with progress:
        yield _RichLoad(progress)
