"""The PR gate (DESIGN §3): touched features, bundles, evidence, the six gates."""
