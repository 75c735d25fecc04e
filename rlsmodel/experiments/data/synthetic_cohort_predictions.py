"""A user-supplied prediction for the worked example: any f(model, **args) -> float."""


def d2_density_rls(model):
    """Steady-state D2 receptor density of the rls_genetic profile (relative to healthy = 1 at nominal)."""
    return float(model.steady_state("rls_genetic")["d2_density"])
