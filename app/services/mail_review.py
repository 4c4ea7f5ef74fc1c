"""Manual review of unmatched transfer notices (implemented in :mod:`app.mail.review`)."""

from app.mail.review import MailReviewService

__all__ = ["MailReviewService"]
