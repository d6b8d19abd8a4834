"""The base class of every refusal a service raises, apart from the errors of programs."""


class ServiceError(Exception):
    """Input or a write a service refuses; the message says what was wrong, for the user.

    Not a ValueError: a view that catches these shows the message on the page, and must not
    also catch the ValueError of a bug and show that as if the user had done something wrong.
    """
