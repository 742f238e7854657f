"""The Ministry's screening tools, beside its predictors (SCREENING.md): maturity (MST), learning
disability (LDS), offender personality disorder pathway (OPD) and programme needs (PNI).

Each tool reads the same request as the predictors and reports its own problems in its own block, under
``validationError``: one tool's failure never stops another, nor a predictor.
"""
