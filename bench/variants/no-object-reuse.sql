-- the generated job copying every row between chained operators (Flink's default), to measure what pipeline.object-reuse is worth
RESET 'pipeline.object-reuse';
