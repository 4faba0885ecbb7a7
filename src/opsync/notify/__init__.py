"""`opsync week notify`: the weekly digest posted to the team's chat.

`digest` collects what the Monday meeting needs; `text` renders it for one platform's
flavour of Markdown within its size limit; one small module per platform builds the
request body (and signature) and reads the answer; `channels` resolves `notify:`
entries from opsync.yml and the environment; `run` posts one message per channel.
"""
