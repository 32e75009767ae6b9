-- DATA LOSS: drops token reservations; holds still open are released with them (monthly totals are kept).
DROP TABLE "usage_reservations";
