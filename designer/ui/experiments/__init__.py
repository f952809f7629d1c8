"""The Experiments dock: sweeps of the project started, followed and compared."""
