"""One error hierarchy for infscale.

Every failure the library raises on purpose is an ``InfscaleError``; the CLI prints its message as one
line and exits non-zero, the server maps ``http_status`` to an OpenAI-style error body.

::

    InfscaleError
    ├── ConfigError                 malformed infscale.toml, bad option values
    │   └── PipelineSyntaxError     a pipeline spec that does not parse (carries the position)
    ├── InvalidRequestError         out-of-range request options (n, temperature, max_tokens, ...)
    ├── ModelError
    │   ├── UnknownModelError       a name that is not in the registry
    │   ├── ModelUnavailableError   registered but not usable here (missing file, missing package)
    │   └── BackendError            a model call failed
    │       ├── EndpointUnreachableError   connection refused / DNS / timeout after retries
    │       └── RateLimitedError           429 after retries
    ├── BudgetExceededError         a call would exceed the request's budget
    ├── DataError                   malformed data files (JSONL lines, ARC tasks)
    │   └── UnknownSuiteError
    ├── SandboxError                the sandbox cannot run as configured (missing isolation, bad input)
    └── CacheError                  a cache store failed
"""

from __future__ import annotations


class InfscaleError(Exception):
    """Base of every error infscale raises on purpose."""

    http_status: int = 400
    error_type: str = "invalid_request_error"
    code: str | None = None

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_openai(self) -> dict[str, object]:
        """The OpenAI-style error body."""
        return {"error": {"message": self.message, "type": self.error_type, "param": None, "code": self.code}}


class ConfigError(InfscaleError):
    """A configuration file or option is malformed."""

    code = "config_error"


class PipelineSyntaxError(ConfigError):
    """A pipeline spec does not parse; ``position`` is the character offset of the problem."""

    code = "pipeline_syntax"

    def __init__(self, message: str, *, spec: str = "", position: int | None = None) -> None:
        self.spec = spec
        self.position = position
        if position is not None and spec:
            message = f"{message} at position {position}: {spec[:position]}\u2192{spec[position:]}"
        super().__init__(message)


class InvalidRequestError(InfscaleError):
    """A request option is out of range or inconsistent."""

    code = "invalid_request"


class ModelError(InfscaleError):
    """Base for model-related errors."""


class UnknownModelError(ModelError):
    http_status = 404
    code = "model_not_found"


class ModelUnavailableError(ModelError):
    """The model is registered but cannot run here (missing file or package)."""

    http_status = 503
    error_type = "server_error"
    code = "model_unavailable"


class BackendError(ModelError):
    """A model call failed."""

    http_status = 502
    error_type = "server_error"
    code = "backend_error"


class EndpointUnreachableError(BackendError):
    code = "endpoint_unreachable"


class RateLimitedError(BackendError):
    http_status = 429
    code = "rate_limited"


class BudgetExceededError(InfscaleError):
    """Raised before a call that would exceed a budget; strategies catch it and return their best."""

    http_status = 402
    code = "budget_exhausted"


class DataError(InfscaleError):
    """A data file (JSONL suite, ARC task) is malformed or missing."""

    code = "data_error"


class UnknownSuiteError(DataError):
    code = "unknown_suite"


class SandboxError(InfscaleError):
    """The sandbox cannot run as configured."""

    http_status = 500
    error_type = "server_error"
    code = "sandbox_error"


class CacheError(InfscaleError):
    http_status = 500
    error_type = "server_error"
    code = "cache_error"
