"""Files -> cleaned, chunked, embedded articles in Chroma. Knows nothing of answering."""
