"""The employer service: organisations, vacancies and interview invitations."""
