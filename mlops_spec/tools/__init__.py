"""Developer tools (not on the runtime path): generated docs, schema and caches."""
