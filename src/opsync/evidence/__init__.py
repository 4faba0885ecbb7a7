"""Evidence of ops sign-off: SSH signatures and the signed approval records they cover."""
