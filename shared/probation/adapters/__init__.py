"""Adapters: DynamoDB, EventBridge and the clock behind small interfaces. boto3 lives only here."""
