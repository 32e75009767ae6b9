-- DATA LOSS: drops the model-call log (one row per call to a model: tokens, latency, outcome).
DROP TABLE "model_calls";
