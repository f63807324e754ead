-- params: [50, 100]
SELECT
  "patient"."id" AS "c0",
  (
    "patient"."first_name" || ' '
  ) || "patient"."last_name" AS "c1",
  "patient_summary"."lifetime_spend" AS "c2"
FROM (
  SELECT
    "patient_2_summary"."patient_id" AS "k",
    "patient_2_summary"."lifetime_spend" AS "o0",
    "patient_2_summary"."patient_id" AS "o1"
  FROM "patient_summary" AS "patient_2_summary"
  ORDER BY
    "patient_2_summary"."lifetime_spend" DESC NULLS LAST,
    "patient_2_summary"."patient_id" ASC
  LIMIT CAST($1 AS BIGINT)
  OFFSET CAST($2 AS BIGINT)
) AS "page"
JOIN "patients" AS "patient"
  ON "patient"."id" = "page"."k"
JOIN "patient_summary" AS "patient_summary"
  ON "patient_summary"."patient_id" = "patient"."id"
ORDER BY
  "page"."o0" DESC NULLS LAST,
  "page"."o1" ASC

-- count, params: []
SELECT
  COUNT(*) AS "__total"
FROM "patients" AS "patient"
