"""The door to GitHub: REST client, Actions event, reviews as evidence, Actions adapter."""
