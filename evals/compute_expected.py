"""Fill in the expected answers of evals/questions.yaml from the client's export, ONCE, with our own SQL.

Independent of the engine on purpose: DuckDB reads the six JSON files directly and each question's
`sql` (written from the query contract's definitions, not from metrics.yaml or the engine's SQL)
computes the answer. The result is stored in the yaml as `expect.rows`; the eval test compares the
engine's answers with those stored values and never runs this script.

    .venv/bin/python evals/compute_expected.py [--export ../shared/seed_data] [--check]

Definitions used (the query contract's words):
  start(a)  = min(line.start) of an appointment's lines
  as_of     = date of the latest payment (2025-11-26 in the export); "on or before as_of" = start(a) < as_of + 1 day
  visit     = status <> 'cancelled' and start(a) <= as_of
  line_revenue = each paid payment split over its appointment's lines by list price (largest remainder, ties by
                 line order in the file)

The tools answer as an agent: a row whose value comes from 1 to 10 patients is left out (the agent scope's
minimum group size). A question whose rows may meet that has `contributors_sql` (its key columns and
`patients`, the distinct patients behind each row's value); those rows go to `expect.suppressed`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import duckdb
import yaml

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions.yaml"
DEFAULT_EXPORT = HERE.parent.parent / "shared" / "seed_data"

VIEWS = """
CREATE TABLE patient AS SELECT * FROM read_json_auto('{d}/patient.json');
CREATE TABLE appointment AS SELECT * FROM read_json_auto('{d}/appointment.json');
CREATE TABLE payment AS SELECT * FROM read_json_auto('{d}/payment.json');
CREATE TABLE provider AS SELECT * FROM read_json_auto('{d}/provider.json');
CREATE TABLE service AS SELECT * FROM read_json_auto('{d}/service.json');
CREATE TABLE line AS SELECT row_number() OVER () AS line_id, * FROM read_json_auto('{d}/appointment_service.json');
CREATE TABLE as_of AS SELECT max(date)::DATE AS d, max(date)::DATE + 1 AS next_day FROM payment;
CREATE VIEW appt AS
  SELECT a.*, s.start_a, s.end_a
  FROM appointment a JOIN (SELECT appointment_id, min(start) AS start_a, max("end") AS end_a
                           FROM line GROUP BY 1) s ON s.appointment_id = a.id;
CREATE VIEW visit AS SELECT * FROM appt WHERE status <> 'cancelled' AND start_a < (SELECT next_day FROM as_of);
CREATE VIEW paid AS SELECT * FROM payment WHERE status = 'paid';
CREATE VIEW prov AS SELECT id, first_name || ' ' || last_name AS name FROM provider;
CREATE VIEW pat AS
  SELECT p.*,
         (SELECT count(*) FROM visit v WHERE v.patient_id = p.id) AS visit_count,
         (SELECT min(start_a) FROM visit v WHERE v.patient_id = p.id) AS first_visit_at,
         year(o.d) - year(p.date_of_birth)
           - CASE WHEN month(o.d) * 100 + day(o.d) < month(p.date_of_birth) * 100 + day(p.date_of_birth)
                  THEN 1 ELSE 0 END AS age
  FROM patient p, as_of o;
CREATE VIEW pat_band AS
  SELECT *, CASE WHEN age < 18 THEN 'under 18' WHEN age < 25 THEN '18-24' WHEN age < 35 THEN '25-34'
                 WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54' WHEN age < 65 THEN '55-64'
                 ELSE '65+' END AS age_band
  FROM pat;
CREATE VIEW line_alloc AS
  WITH l AS (
    SELECT line.line_id, line.appointment_id, line.service_id, line.provider_id, sv.price,
           sum(sv.price) OVER (PARTITION BY line.appointment_id) AS total_price, pa.amount
    FROM line JOIN service sv ON sv.id = line.service_id
    JOIN (SELECT appointment_id, sum(amount) AS amount FROM paid GROUP BY 1) pa USING (appointment_id)),
  f AS (SELECT *, (amount * price) // total_price AS base, (amount * price) % total_price AS rem FROM l),
  r AS (SELECT *, amount - sum(base) OVER (PARTITION BY appointment_id) AS leftover,
               row_number() OVER (PARTITION BY appointment_id ORDER BY rem DESC, line_id) AS rk FROM f)
  SELECT line_id, appointment_id, service_id, provider_id,
         base + CASE WHEN rk <= leftover THEN 1 ELSE 0 END AS allocated
  FROM r;
"""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "is_integer") and isinstance(value, float) and value.is_integer() and abs(value) > 1e15:
        return int(value)
    if type(value).__name__ == "Decimal":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


MIN_GROUP_SIZE = 11  # the agent scope's k (AGENT_MIN_GROUP_SIZE's default): answers go to an agent


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [c[0] for c in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def _split(rows: list[dict[str, Any]], contributors: list[dict[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                                    list[dict[str, Any]]]:
    """(rows an agent sees, key rows it does not): a row whose value comes from 1 to k-1 patients (the
    question's `contributors_sql`: its key columns and `patients`) is left out of an agent's answer."""
    small = [{k: v for k, v in c.items() if k != "patients"} for c in contributors
             if 1 <= int(c["patients"]) < MIN_GROUP_SIZE]
    kept = [r for r in rows if not any(all(r.get(k) == v for k, v in key.items()) for key in small)]
    return kept, small


def compute(export: Path) -> tuple[str, dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]]:
    con = duckdb.connect()
    con.execute(VIEWS.format(d=export))
    as_of = con.execute("SELECT d FROM as_of").fetchone()
    assert as_of is not None
    document = yaml.safe_load(QUESTIONS.read_text())
    answers: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for item in document["questions"]:
        rows = _rows(con, item["sql"])
        contributors = _rows(con, item["contributors_sql"]) if item.get("contributors_sql") else []
        answers[item["id"]] = _split(rows, contributors)
    return as_of[0].isoformat(), answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--export", type=Path, default=DEFAULT_EXPORT)
    parser.add_argument("--check", action="store_true", help="Only compare with the stored answers.")
    args = parser.parse_args()
    as_of, answers = compute(args.export)
    text = QUESTIONS.read_text()
    document = yaml.safe_load(text)
    changed = []
    for item in document["questions"]:
        rows, suppressed = answers[item["id"]]
        expect = item.setdefault("expect", {})
        if expect.get("rows") != rows or expect.get("suppressed", []) != suppressed:
            changed.append(item["id"])
        expect["rows"] = rows
        if suppressed:
            expect["suppressed"] = suppressed
        else:
            expect.pop("suppressed", None)
    document["as_of"] = as_of
    if args.check:
        print("stored answers match" if not changed else f"differ: {', '.join(changed)}")
        return 1 if changed else 0
    header = text[: text.index("as_of:")] if "as_of:" in text else ""
    QUESTIONS.write_text(header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110))
    print(f"as_of {as_of}; wrote {len(answers)} answers ({len(changed)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
