"""The SLA engine: calendar math (``calendar``), compiled-calendar cache (``cache``), policy
matching (``policies``), clocks driven by ticket events (``clocks``, ``receivers``), the
escalation sweep (``sweep``) and the Chinese holiday sync (``holidays``). See the app README."""
