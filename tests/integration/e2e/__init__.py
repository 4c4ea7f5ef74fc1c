"""End to end: the demo command, whole chain, and clean shutdown."""
