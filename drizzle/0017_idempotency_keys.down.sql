-- DATA LOSS: responses kept for retries with an Idempotency-Key (at most IDEMPOTENCY_TTL_S old) are dropped; a retry after the rollback acts again.
DROP TABLE "idempotency_keys";
