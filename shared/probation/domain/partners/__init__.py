"""The partner gateway: partner providers (CRCs), their identity, and what they may see and report."""
