"""Reading input files into Documents."""

from .readers import InputError, load_input, read_text_bytes

__all__ = ["InputError", "load_input", "read_text_bytes"]
