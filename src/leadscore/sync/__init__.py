"""CRM sync: changed-rows batches for Salesforce and HubSpot, with an acknowledgement ledger."""

from leadscore.sync.engine import (
    DEFAULT_BATCH_SIZE,
    LEDGER,
    AckResult,
    BatchInfo,
    SyncResult,
    ack_batches,
    run_sync,
)
from leadscore.sync.formats import validate_batch_file
from leadscore.sync.mapping import TARGETS, load_mapping

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "LEDGER",
    "TARGETS",
    "AckResult",
    "BatchInfo",
    "SyncResult",
    "ack_batches",
    "load_mapping",
    "run_sync",
    "validate_batch_file",
]
