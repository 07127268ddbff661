"""gcfinops: a FinOps analyzer for Japanese local governments on the Government Cloud."""

__version__ = "0.1.0"
