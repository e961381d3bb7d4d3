namespace SparseCore.Pass.Hypernetwork;

/// <summary>
/// Sizes of the PASS hypernetwork. <see cref="Projection"/> adds a learned Linear from the
/// zero-padded statistics (max C_out wide) down to <see cref="Hidden"/> before the LSTM: off by
/// default to follow the paper's text; on, the parameter count becomes independent of the
/// backbone's width, which is the only reading consistent with the paper's Table 4 (docs/pass.md, Hypernetwork).
/// </summary>
public sealed record HypernetworkOptions(int Hidden = 64, bool Projection = false);
