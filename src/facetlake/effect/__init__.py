"""Marketing-effect evaluation: the campaigns' audience lists (treated and random holdout) loaded from the
lake's uploads for the effect marts (models/marts/effect), which measure lift with intervals in SQL."""
