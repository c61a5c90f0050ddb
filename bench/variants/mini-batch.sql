-- the generated job with mini-batch (1 s or 5,000 rows): the UV deduplication reads its state once per user per batch
SET 'table.exec.mini-batch.enabled' = 'true';
SET 'table.exec.mini-batch.allow-latency' = '1 s';
SET 'table.exec.mini-batch.size' = '5000';
