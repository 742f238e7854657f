"""Imported by the fork server before it forks the first execution environment, after the functions'
modules: what each environment would otherwise load for itself on its first invocation, loaded once and
shared by every environment forked after it. In Lambda each execution environment loads these once.

- boto3's service models (~200 ms), their calls sent to the runner's AWS stand-in over its socket (wire.py);
- the reference data read from CSV and JSON on first use: the offence tables (~3,000 rows each), the
  OASys question catalogue, the risk models and screening rules, and the workload points;
- the API models' validators: they defer building them to first use (``defer_build``, so a Lambda
  function builds only those it uses, at its cold start), and every environment forked from here built
  them again, about 6 % of the functions' CPU while the demo loads.

All of it is then frozen out of the cyclic garbage collector's sight (``gc.freeze``, as Python's documentation
advises before forking workers): an environment's full collections walk only what it made itself, and do
not write to the pages it shares with the fork server.
"""

import gc
import os

from pydantic import BaseModel

from infrastructure.local import wire
from probation.adapters import aws
from probation.allocation import workload
from probation.assessments.catalogue import load_catalogue
from probation.risk import coefficients, offences
from probation.risk.screening.rules import screening_rules

if os.environ.get(wire.SOCKET_ENVIRONMENT):
    aws.register_handler("before-send", wire.send_to_stand_in)
aws.load_models()
load_catalogue()
for version in coefficients.available_versions():
    coefficients.load_model(version)
screening_rules()
offences.get_offence("")
offences.offence_category("")
offences.opd_violence_sex("")
offences.ogrs3_weight_by_code()
workload.case_points("A1", workload.CaseType.COMMUNITY)
deferred: list[type[BaseModel]] = BaseModel.__subclasses__()
while deferred:
    model = deferred.pop()
    deferred.extend(model.__subclasses__())
    if not model.__pydantic_complete__:
        model.model_rebuild(raise_errors=False)
gc.freeze()
