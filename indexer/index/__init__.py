"""The on-disk index: versioned store, clause metadata, vectors, lexical index, the build."""
