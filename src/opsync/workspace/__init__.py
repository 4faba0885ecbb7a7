"""The only way into a repo's opsync files: where the workspace is, its policy, its documents."""
