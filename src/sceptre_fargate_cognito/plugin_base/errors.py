"""The one exception type the resolvers raise when a lookup fails."""

from __future__ import annotations

from sceptre.exceptions import SceptreException


class ResolverError(SceptreException):
    """A resolver could not produce its value (AWS refused a call, or nothing matched).

    A SceptreException, so `sceptre` prints the message alone instead of a traceback.
    `aws_code` carries the AWS error code when the cause was an AWS error, so a resolver can
    turn the codes it expects (RepositoryNotFoundException...) into a more useful message.
    """

    def __init__(self, message: str, aws_code: str | None = None):
        super().__init__(message)
        self.aws_code = aws_code
