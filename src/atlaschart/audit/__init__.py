"""The access log: who read or wrote which patient's data, when, from where. Append-only."""
