"""The PR gate (docs/gates.md): touched features, bundles, evidence, the six gates."""
