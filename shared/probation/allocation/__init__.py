"""Case allocation rules: tiering (hmpps-tier V2), workload points and capacity, who may hold a case."""
