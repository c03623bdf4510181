"""Privacy: finding and masking personal data (phones, e-mails, cards) in text and logs."""
