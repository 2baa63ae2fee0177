"""What every service's REST API shares: the app factory, errors, paging, authentication."""
