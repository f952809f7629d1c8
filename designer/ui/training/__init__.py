"""Training in the window: a background session, the Train panel and its live plots."""
