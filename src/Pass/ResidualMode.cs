namespace SparseCore.Pass;

/// <summary>How extraction treats the channels of a residual stream, which every conv writing or reading it shares.</summary>
public enum ResidualMode
{
    /// <summary>
    /// One mask per residual group (DepGraph style, tied in stage 1): the stream keeps exactly that
    /// mask, so the masked and extracted networks are the same network with equal MACs. Masks that
    /// differ inside a group are refused.
    /// </summary>
    Shared,

    /// <summary>
    /// The paper's per-conv masks: the stream keeps the union of its writers' masks, and a writer's
    /// channels inside the union that its own mask drops are held at zero (zeroed out-weights and
    /// batch-norm γ, β). Outputs equal the masked network's; MACs are at least the masked count.
    /// </summary>
    Union,
}
