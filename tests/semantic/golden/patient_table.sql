-- params: [50, 100]
SELECT
  "r"."d0" AS "c0",
  "r"."d1" AS "c1",
  "r"."d2" AS "c2"
FROM (
  SELECT
    "patient"."id" AS "d0",
    (
      "patient"."first_name" || ' '
    ) || "patient"."last_name" AS "d1",
    COALESCE("patient_summary"."lifetime_spend", 0) AS "d2"
  FROM "patients" AS "patient"
  LEFT JOIN "patient_summary" AS "patient_summary"
    ON "patient_summary"."patient_id" = "patient"."id"
) AS "r"
ORDER BY
  "r"."d2" DESC NULLS LAST,
  "r"."d0" ASC
LIMIT CAST($1 AS BIGINT)
OFFSET CAST($2 AS BIGINT)

-- count, params: []
SELECT
  COUNT(*) AS "__total"
FROM (
  SELECT
    "patient"."id" AS "d0",
    (
      "patient"."first_name" || ' '
    ) || "patient"."last_name" AS "d1",
    COALESCE("patient_summary"."lifetime_spend", 0) AS "d2"
  FROM "patients" AS "patient"
  LEFT JOIN "patient_summary" AS "patient_summary"
    ON "patient_summary"."patient_id" = "patient"."id"
) AS "r"
