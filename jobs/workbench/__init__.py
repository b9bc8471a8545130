"""The verifiers' workbench (核查工作台): ``app`` (the web application), ``accounts`` (users, sessions, CSRF,
throttling), ``data`` (what it reads from the lake and the outcomes it writes back)."""
