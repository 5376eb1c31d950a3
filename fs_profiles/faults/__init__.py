"""Fault models (``NAME.toml`` here, read by models.py) and the injector that plays them back."""
