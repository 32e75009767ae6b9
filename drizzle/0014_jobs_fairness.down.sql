-- Reversible without data loss: jobs forget whose they are (claims are in order of time again).
ALTER TABLE "jobs" DROP COLUMN "group_key";
