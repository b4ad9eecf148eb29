"""Users, roles, login (rate-limited), language preference."""
