"""Verifiers: anything that scores a candidate in [0, 1] (see base.py for the protocol).

- ``exact``: equality with a known answer;
- ``python``: a Python function;
- ``tests``: unit tests run in the sandbox;
- ``judge``: an LLM judge with a rubric prompt;
- ``agreement``: agreement with other models' answers;
- ``logprob``: the sample's own token probabilities;
- ``pal``: program-aided checking (the model writes an expression; executing it gives the answer).
"""

from .base import Verifier, VerifyContext
from .judge import AgreementVerifier, JudgeVerifier
from .pal import PalVerifier
from .simple import CallableVerifier, ExactVerifier, LogprobVerifier
from .unit_tests import UnitTestVerifier

__all__ = [
    "AgreementVerifier",
    "CallableVerifier",
    "ExactVerifier",
    "JudgeVerifier",
    "LogprobVerifier",
    "PalVerifier",
    "UnitTestVerifier",
    "Verifier",
    "VerifyContext",
]
