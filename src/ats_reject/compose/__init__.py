"""Composition (placeholder)."""
