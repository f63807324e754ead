-- params: [datetime.datetime(2024, 11, 27, 0, 0), datetime.datetime(2025, 11, 27, 0, 0), datetime.datetime(2024, 11, 1, 0, 0), datetime.datetime(2025, 11, 1, 0, 0), 1000, 0]
WITH "a0" AS (
  SELECT
    "patient"."source" AS "d0",
    CAST(DATE_TRUNC('MONTH', CAST("payment"."date" AS TIMESTAMP)) AS DATE) AS "time",
    SUM("payment"."amount") AS "revenue"
  FROM "payments" AS "payment"
  LEFT JOIN "patients" AS "patient"
    ON "patient"."id" = "payment"."patient_id"
  WHERE
    "payment"."date" >= CAST($1 AS TIMESTAMP)
    AND "payment"."date" < CAST($2 AS TIMESTAMP)
    AND "payment"."status" = 'paid'
  GROUP BY
    1,
    2
), "data" AS (
  SELECT
    "a0"."d0",
    "a0"."time",
    "a0"."revenue" AS "revenue"
  FROM "a0" AS "a0"
), "spine" AS (
  SELECT
    CAST("s"."g" AS DATE) AS "time"
  FROM GENERATE_SERIES(CAST($3 AS TIMESTAMP), CAST($4 AS TIMESTAMP), INTERVAL '1 MONTH') AS "s"("g")
), "d" AS (
  SELECT DISTINCT
    "data"."d0"
  FROM "data" AS "data"
), "filled" AS (
  SELECT
    "data"."d0",
    "data"."time",
    "data"."revenue"
  FROM "data" AS "data"
  UNION ALL
  SELECT
    "d"."d0",
    "spine"."time",
    NULL AS "revenue"
  FROM "d" AS "d"
  CROSS JOIN "spine" AS "spine"
  WHERE
    (
      SELECT
        COUNT(*)
      FROM "d" AS "d"
    ) * (
      SELECT
        COUNT(*)
      FROM "spine" AS "spine"
    ) <= 100000
)
SELECT
  "r"."time" AS "c0",
  "r"."d0" AS "c1",
  "r"."o0" AS "c2",
  "r"."k0" AS "c3",
  "r"."k1" AS "c4",
  COUNT(*) OVER () AS "__total"
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY "c"."time" ORDER BY "c"."o0" DESC NULLS LAST, "c"."d0" ASC) AS "__top"
  FROM (
    SELECT
      *,
      SUM("c"."o0") OVER (
        PARTITION BY "c"."d0"
        ORDER BY "c"."time" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS "k1"
    FROM (
      SELECT
        *,
        CAST("c"."o0" AS DOUBLE PRECISION) / NULLIF(SUM("c"."o0") OVER (PARTITION BY "c"."time"), 0) AS "k0"
      FROM (
        SELECT
          "merged"."d0" AS "d0",
          "merged"."time" AS "time",
          COALESCE("merged"."revenue", 0) AS "o0"
        FROM (
          SELECT
            "filled"."d0",
            "filled"."time",
            MAX("filled"."revenue") AS "revenue"
          FROM "filled" AS "filled"
          GROUP BY
            "filled"."d0",
            "filled"."time"
        ) AS "merged"
      ) AS "c"
    ) AS "c"
  ) AS "c"
) AS "r"
WHERE
  "r"."__top" <= 3
ORDER BY
  "r"."time" ASC,
  "r"."d0" ASC
LIMIT CAST($5 AS BIGINT)
OFFSET CAST($6 AS BIGINT)
