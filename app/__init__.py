"""The mtcheck web page (Streamlit): a thin layer over :mod:`checker`.

Start it with ``mtcheck app`` or ``make app``.
"""
