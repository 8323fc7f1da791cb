"""Domain errors: every refusal carries a stable machine ``code`` and a translated message.

The API turns a ``DomainError`` into ``400 {"code": …, "detail": …}``; web views show the
message as a form error or a flash message. The same code names the same failure everywhere.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, *, code: str, message, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)
