"""Every change in billing goes through these functions (`<entity>_<action>(*, ...)`), split by topic."""
