"""Routes grouped by audience: public (sign-in, language), staff, employer, seeker, live updates."""
