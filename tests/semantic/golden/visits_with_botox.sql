-- params: ['Botox Injection', datetime.datetime(2025, 11, 27, 0, 0), 1000, 0]
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
    LEFT JOIN "appointment_summary" AS "appointment_summary"
      ON "appointment_summary"."appointment_id" = "appointment"."id"
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
      AND "appointment_summary"."start_at" < CAST($2 AS TIMESTAMP)
  ) AS "merged"
) AS "r"
ORDER BY
  "r"."o0" DESC NULLS LAST
LIMIT CAST($3 AS BIGINT)
OFFSET CAST($4 AS BIGINT)
