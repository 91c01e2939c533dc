"""Question -> cited answer from the indexed articles. Reads the index, never writes it."""
