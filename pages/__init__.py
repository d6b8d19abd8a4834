"""Site pages an admin edits (About, Contact)."""
