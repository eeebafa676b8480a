"""CRM sync: changed-rows batches of leads and accounts for Salesforce and HubSpot, with an
acknowledgement ledger."""

from leadscore.sync.engine import (
    DEFAULT_BATCH_SIZE,
    LEDGER,
    AckResult,
    BatchInfo,
    SyncResult,
    ack_batches,
    run_sync,
    sync_target,
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
    "sync_target",
    "validate_batch_file",
]
