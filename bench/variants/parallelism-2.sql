-- the generated job at parallelism 2, on a topic of 2 partitions (one per source task; the same records)
SET 'parallelism.default' = '2';
