-- The baseline: the reference pipeline as people commonly write it by hand, in the
-- legacy group-window syntax (GROUP BY HOP(...)) with no tuning options. uvpv's bench runs it
-- on the same data as the generated job. {{topic}}, {{bootstrap}}, {{group}}, {{redisHost}},
-- {{redisPort}} and {{database}} are filled in by the bench.

CREATE TABLE `input_web_record` (
  `record_type` INT,
  `user_id` INT,
  `client_ip` VARCHAR,
  `product_id` INT,
  `create_time` TIMESTAMP(3),
  `times` AS create_time,
  WATERMARK FOR times AS times - INTERVAL '10' MINUTE
) WITH (
  'connector' = 'kafka',
  'topic' = '{{topic}}',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'properties.bootstrap.servers' = '{{bootstrap}}',
  'properties.group.id' = '{{group}}',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true',
  'json.fail-on-missing-field' = 'false'
);

CREATE TABLE `output_uv` (`key` VARCHAR, `value` VARCHAR) WITH (
  'connector' = 'redis', 'redis-mode' = 'single', 'host' = '{{redisHost}}', 'port' = '{{redisPort}}',
  'database' = '{{database}}', 'command' = 'sadd'
);

CREATE TABLE `output_pv` (`key` VARCHAR, `value` VARCHAR) WITH (
  'connector' = 'redis', 'redis-mode' = 'single', 'host' = '{{redisHost}}', 'port' = '{{redisPort}}',
  'database' = '{{database}}', 'command' = 'lpush'
);

CREATE TABLE `output_cr` (`key` VARCHAR, `value` VARCHAR) WITH (
  'connector' = 'redis', 'redis-mode' = 'single', 'host' = '{{redisHost}}', 'port' = '{{redisPort}}',
  'database' = '{{database}}', 'command' = 'set'
);

EXECUTE STATEMENT SET
BEGIN

INSERT INTO output_uv
SELECT 'userids', CAST(user_id AS VARCHAR)
FROM input_web_record
WHERE record_type = 0 AND user_id IS NOT NULL;

INSERT INTO output_pv
SELECT 'pagevisits', CAST(COUNT(*) AS VARCHAR)
FROM input_web_record
WHERE record_type = 0
GROUP BY HOP(times, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE);

INSERT INTO output_cr
SELECT 'conversion_rate',
  CAST(CAST(SUM(CASE WHEN record_type = 1 THEN 1 ELSE 0 END) AS DECIMAL(20, 4))
       / SUM(CASE WHEN record_type = 0 THEN 1 ELSE 0 END) AS VARCHAR)
FROM input_web_record
GROUP BY HOP(times, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE)
HAVING SUM(CASE WHEN record_type = 0 THEN 1 ELSE 0 END) > 0;

END;
