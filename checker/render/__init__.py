"""Renderers: Report -> text, JSON, JSONL, CSV, HTML."""
