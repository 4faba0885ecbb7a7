"""Events on the time line, the effect of each launch, and the outcome review."""
