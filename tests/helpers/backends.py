"""A third-party backend, registered in tests through a real entry-point declaration."""

from __future__ import annotations

from infscale.models.base import Backend
from infscale.types import Request, Sample, Usage


class ReverseBackend(Backend):
    kind = "reverse"

    async def generate(self, request: Request) -> list[Sample]:
        text = request.user_text()[::-1]
        return [
            Sample(text=text, model=self.spec.name, index=i, usage=Usage(0, len(text), 1))
            for i in range(request.n)
        ]
