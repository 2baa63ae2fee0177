"""The seeker service: job-seeker profiles, consents, credentials and applications."""
