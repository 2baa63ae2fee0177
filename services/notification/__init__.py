"""The notification service: telling each person once, on their channel, in their language."""
