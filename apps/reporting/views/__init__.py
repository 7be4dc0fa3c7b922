"""Reporting views, one module per feature (posts, conversions, report)."""
