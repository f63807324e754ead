-- params: [1000, 0]
SELECT
  "r"."d0" AS "c0",
  "r"."o0" AS "c1",
  COUNT(*) OVER () AS "__total"
FROM (
  SELECT
    "merged"."d0" AS "d0",
    COALESCE("merged"."revenue", 0) AS "o0"
  FROM (
    SELECT
      "patient"."source" AS "d0",
      SUM("payment"."amount") AS "revenue"
    FROM "payments" AS "payment"
    LEFT JOIN "patients" AS "patient"
      ON "patient"."id" = "payment"."patient_id"
    WHERE
      "payment"."status" = 'paid'
    GROUP BY
      1
  ) AS "merged"
) AS "r"
ORDER BY
  "r"."o0" DESC NULLS LAST,
  "r"."d0" ASC
LIMIT CAST($1 AS BIGINT)
OFFSET CAST($2 AS BIGINT)
