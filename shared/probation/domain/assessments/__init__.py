"""OASys assessments: drafts pre-filled from what the system holds, every answer with its source."""
