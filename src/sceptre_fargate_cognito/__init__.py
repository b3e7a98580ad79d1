"""sceptre-fargate-cognito: a web app on AWS Fargate behind a Cognito-authenticated HTTPS ALB, with Sceptre.

One import package for all of the project's Python. `resolvers/` and `hooks/` stay at the top of
the project, where a Sceptre user looks for them, and install as `sceptre_fargate_cognito.resolvers`
and `sceptre_fargate_cognito.hooks` (pyproject.toml, `[tool.setuptools.package-dir]`).
"""
