-- the generated job without state TTL: the UV deduplication state is kept forever (no TTL bookkeeping on each access)
RESET 'table.exec.state.ttl';
