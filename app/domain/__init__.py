"""The domain: transfer states and transitions, errors, and the dataclasses services return."""
