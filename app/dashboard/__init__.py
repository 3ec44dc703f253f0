"""The coordinators' dashboard: supply and demand, who is left behind, the pipeline, giving,
the map and the impact so far, by term."""
