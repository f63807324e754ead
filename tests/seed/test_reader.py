"""Reading an export file: blocks of whole records parsed at once where the layout allows, the streaming
parser otherwise; either way the same records, in the same batches' order, and malformed JSON is placed
at the same record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.seed import reader
from service.seed.reader import read_batches
from service.seed.validate import LoadError

RECORDS = [{"id": f"apt_{i}", "n": i, "note": "a }, { b ],\\n [", "nested": {"x": [i, {"y": i}]}} for i in range(500)]


def _records(path: Path, size: int = 7) -> list[Any]:
    out: list[Any] = []
    for batch, _ in read_batches(path, size):
        assert 0 < len(batch) <= size
        out += batch
    return out


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(RECORDS, indent=2),  # pretty-printed: read in blocks
        json.dumps(RECORDS),  # one line: no line ends a record
        json.dumps(RECORDS, indent=2).replace("\n", "\r\n"),
        "\n  " + json.dumps(RECORDS, indent=4) + "\n\n",
        json.dumps(RECORDS, indent="\t"),
        "[]",
        "[\n]\n",
    ],
    ids=["indented", "one line", "crlf", "surrounded by whitespace", "tabs", "empty", "empty on lines"],
)
def test_every_layout_gives_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(reader, "_BLOCK_SIZE", 1000)  # many blocks, and a one-line file gives up on them
    path = tmp_path / "appointment.json"
    path.write_text(text)

    assert _records(path) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "record", "reason"),
    [
        (json.dumps(RECORDS[:300], indent=2)[:-2] + ',\n  {"id": "apt_x", "n": }\n]', 300, "parse error"),
        (json.dumps(RECORDS[:300], indent=2) + " trailing", 300, "parse error: trailing garbage"),
        (json.dumps(RECORDS[:300], indent=2)[:-20], 299, "parse error: premature EOF"),
        (json.dumps(RECORDS[:300], indent=2).replace('"n": 150', '"n": NaN'), 150, "lexical error"),
    ],
    ids=["bad value", "trailing garbage", "cut short", "NaN"],
)
def test_malformed_json_is_placed_at_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, record: int, reason: str
) -> None:
    monkeypatch.setattr(reader, "_BLOCK_SIZE", 1000)  # the blocks before the bad one parse
    path = tmp_path / "appointment.json"
    path.write_text(text)

    with pytest.raises(LoadError) as caught:
        _records(path)

    assert str(caught.value).startswith(f"appointment.json, record {record}: malformed JSON: {reason}"), caught.value


def test_a_lone_surrogate_reads_as_the_streaming_parser_reads_it(tmp_path: Path) -> None:
    # pydantic-core refuses "\ud800"; the block is then read by ijson, as every file was before
    path = tmp_path / "patient.json"
    path.write_text('[\n  {"id": "pat_1", "note": "x\\ud800y"},\n  {"id": "pat_2"}\n]')

    records = _records(path)

    assert [r["id"] for r in records] == ["pat_1", "pat_2"]
    assert records[0]["note"].startswith("x") and records[0]["note"].endswith("y")
