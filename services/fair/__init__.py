"""The fair service: the weekly fair series: registration, scheduling, check-in, outcomes, statistics."""
