-- the generated job at parallelism 2 (with --partitions 2, one partition per source task)
SET 'parallelism.default' = '2';
