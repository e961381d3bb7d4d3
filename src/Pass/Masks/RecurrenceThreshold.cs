namespace SparseCore.Pass.Masks;

/// <summary>
/// How the recurrence gets M(i−1) before this step's global top-k exists (the paper does not say; docs/pass.md, Masks). In every
/// mode the network's masks are the exact global top-k of the final scores; these only decide the
/// in-masks that build the LSTM inputs, and each keeps at least one channel per mask (its best).
/// </summary>
public enum RecurrenceThreshold
{
    /// <summary>(a) 1[score ≥ τ] with τ the previous step's global cut; the first step takes τ from one pass without masks.</summary>
    PreviousStep,

    /// <summary>(b) Per-mask top round((1 − s)·C) of that mask's scores.</summary>
    PerLayer,

    /// <summary>(c) Two passes per step: τ from a pass without masks (no gradient), then the recurrent pass with τ.</summary>
    TwoPass,
}
