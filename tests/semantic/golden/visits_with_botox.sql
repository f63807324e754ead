-- params: ['Botox Injection', datetime.datetime(2025, 11, 27, 0, 0), 1000, 0]
WITH "appointment__rollup" AS (
  SELECT
    "service_line_2"."appointment_id" AS "k",
    MIN("service_line_2"."start") AS "c0"
  FROM "appointment_services" AS "service_line_2"
  GROUP BY
    "service_line_2"."appointment_id"
)
SELECT
  "r"."o0" AS "c0",
  COUNT(*) OVER () AS "__total"
FROM (
  SELECT
    COALESCE("merged"."visit_count", 0) AS "o0"
  FROM (
    SELECT
      COUNT(*) AS "visit_count"
    FROM "appointments" AS "appointment"
    LEFT JOIN "appointment__rollup" AS "appointment_rollup"
      ON "appointment_rollup"."k" = "appointment"."id"
    WHERE
      EXISTS(
        SELECT
          1
        FROM "appointment_services" AS "service_line"
        LEFT JOIN "services" AS "service"
          ON "service"."id" = "service_line"."service_id"
        WHERE
          "service_line"."appointment_id" = "appointment"."id"
          AND "service"."name" = CAST($1 AS TEXT)
      )
      AND "appointment"."status" <> 'cancelled'
      AND "appointment_rollup"."c0" < CAST($2 AS TIMESTAMP)
  ) AS "merged"
) AS "r"
ORDER BY
  "r"."o0" DESC NULLS LAST
LIMIT CAST($3 AS BIGINT)
OFFSET CAST($4 AS BIGINT)
