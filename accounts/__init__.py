"""Accounts: signing up and logging in, pseuds, reader preferences, and the counts that
throttle attempts."""
