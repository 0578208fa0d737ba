"""Embedding: runtimes behind one Embedder interface, the model catalogue, the vector cache."""
