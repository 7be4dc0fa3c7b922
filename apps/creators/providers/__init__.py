"""Platform API clients (pure Python, httpx): see ``base.ProviderClient``.

Platform modules (``youtube``, ``instagram``, ``tiktok``) are imported on
demand so that importing the interface stays cheap.
"""

from .base import (
    AccountBatch,
    AccountRef,
    AccountStats,
    AuthError,
    BusinessUseCaseUsage,
    InvalidHandle,
    InvalidRequest,
    NotFound,
    PostStats,
    ProviderClient,
    ProviderError,
    QuotaExceeded,
    RateLimited,
    TransientError,
    Usage,
)

__all__ = [
    "AccountBatch",
    "AccountRef",
    "AccountStats",
    "AuthError",
    "BusinessUseCaseUsage",
    "InvalidHandle",
    "InvalidRequest",
    "NotFound",
    "PostStats",
    "ProviderClient",
    "ProviderError",
    "QuotaExceeded",
    "RateLimited",
    "TransientError",
    "Usage",
]
