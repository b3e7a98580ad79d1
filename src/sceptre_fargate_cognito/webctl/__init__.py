"""`webctl <command> <environment> ...`: the operator's command for what Sceptre does not do
(users, status, logs), reaching AWS through Sceptre like the resolvers and hooks do."""
