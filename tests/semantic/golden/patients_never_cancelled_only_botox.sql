-- params: ['cancelled', 'Botox Injection', 1000, 0]
SELECT
  "r"."o0" AS "c0",
  COUNT(*) OVER () AS "__total"
FROM (
  SELECT
    COALESCE("merged"."patient_count", 0) AS "o0"
  FROM (
    SELECT
      COUNT(*) AS "patient_count"
    FROM "patients" AS "patient"
    WHERE
      NOT EXISTS(
        SELECT
          1
        FROM "appointments" AS "appointment"
        WHERE
          "appointment"."patient_id" = "patient"."id"
          AND "appointment"."status" = CAST($1 AS TEXT)
      )
      AND EXISTS(
        SELECT
          1
        FROM "appointments" AS "appointment_2"
        LEFT JOIN "appointment_services" AS "service_line"
          ON "service_line"."appointment_id" = "appointment_2"."id"
        WHERE
          "appointment_2"."patient_id" = "patient"."id" AND NOT "service_line"."id" IS NULL
      )
      AND NOT EXISTS(
        SELECT
          1
        FROM "appointments" AS "appointment_3"
        LEFT JOIN "appointment_services" AS "service_line_2"
          ON "service_line_2"."appointment_id" = "appointment_3"."id"
        LEFT JOIN "services" AS "service_2"
          ON "service_2"."id" = "service_line_2"."service_id"
        WHERE
          "appointment_3"."patient_id" = "patient"."id"
          AND NOT "service_line_2"."id" IS NULL
          AND NOT COALESCE((
            "service_2"."name" = CAST($2 AS TEXT)
          ), FALSE)
      )
  ) AS "merged"
) AS "r"
ORDER BY
  "r"."o0" DESC NULLS LAST
LIMIT CAST($3 AS BIGINT)
OFFSET CAST($4 AS BIGINT)
