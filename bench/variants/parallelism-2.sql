-- the generated job at parallelism 2, one source task per partition of the bench topic (2 partitions)
SET 'parallelism.default' = '2';
