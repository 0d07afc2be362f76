from datetime import timedelta

# Points an author earns (see RewardPoint).
POINTS_PUBLISHED = 10
POINTS_REUSED = 3
POINTS_HELPFUL = 1

# A published article is due for re-review after this long.
REVIEW_INTERVAL = timedelta(days=180)

MAX_TITLE = 200
