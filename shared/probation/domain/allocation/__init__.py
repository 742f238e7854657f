"""Allocation: teams and practitioners, tiers, workload, ranked recommendations, recorded decisions."""
