-- params: [datetime.date(2025, 11, 26), 1000, 0]
SELECT
  "r"."d0" AS "c0",
  "r"."o0" AS "c1",
  "r"."o1" AS "c2",
  COUNT(*) OVER () AS "__total"
FROM (
  SELECT
    "merged"."d0" AS "d0",
    "merged"."avg(patient.age)" AS "o0",
    "merged"."p25(patient.lifetime_spend)" AS "o1"
  FROM (
    SELECT
      "patient"."source" AS "d0",
      AVG(
        CAST(FLOOR(
          CAST((
            (
              DATE_PART('year', CAST($1 AS DATE)) * 10000 + DATE_PART('month', CAST($1 AS DATE)) * 100 + DATE_PART('day', CAST($1 AS DATE))
            ) - (
              DATE_PART('year', "patient"."date_of_birth") * 10000 + DATE_PART('month', "patient"."date_of_birth") * 100 + DATE_PART('day', "patient"."date_of_birth")
            )
          ) AS DOUBLE PRECISION) / 10000.0
        ) AS INT)
      ) AS "avg(patient.age)",
      ROUND(
        CAST(PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY
          COALESCE("patient_summary"."lifetime_spend", 0)) AS DECIMAL)
      ) AS "p25(patient.lifetime_spend)"
    FROM "patients" AS "patient"
    LEFT JOIN "patient_summary" AS "patient_summary"
      ON "patient_summary"."patient_id" = "patient"."id"
    GROUP BY
      1
  ) AS "merged"
) AS "r"
ORDER BY
  "r"."o0" DESC NULLS LAST,
  "r"."d0" ASC
LIMIT CAST($2 AS BIGINT)
OFFSET CAST($3 AS BIGINT)
