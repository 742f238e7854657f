"""HTTP edge shared by every function: resolver set-up, problem details, ETags, idempotency, paging."""
