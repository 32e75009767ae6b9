-- Reversible without data loss of anything a user wrote: background jobs still waiting are dropped (the releases before this one had none).
DROP TABLE "jobs";
