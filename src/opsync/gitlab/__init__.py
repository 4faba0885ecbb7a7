"""The door to GitLab: REST client, merge request approvals as evidence, the MR note,
and the CI adapter that builds `opsync check`'s options from a merge request pipeline."""
