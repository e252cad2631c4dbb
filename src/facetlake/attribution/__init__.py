"""Data-driven attribution math as pure functions over DataFrames: the Markov chain removal effect (first and
k-th order, closed form) and Shapley values over channel coalitions. The fit in facetlake.attribution.fit runs
them on the warehouse's channel paths."""
