"""Graph utilities (placeholder; filled by the graph module)."""
