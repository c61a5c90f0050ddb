-- the generated job without reusing optimize blocks by digest: one window aggregation per metric, as before that option
RESET 'table.optimizer.reuse-optimize-block-with-digest-enabled';
