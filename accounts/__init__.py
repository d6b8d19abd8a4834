"""Accounts: who may sign up and log in, and the counts that throttle attempts."""
