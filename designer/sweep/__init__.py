"""Sweeps: search a project's settings and architecture with Optuna, trials as runs."""
