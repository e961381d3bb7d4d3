namespace SparseCore.Pass.Methods;

/// <summary>
/// `hydra`: HYDRA's score-based pruning (Sehwag et al., NeurIPS 2020) as VPNs' baseline — the
/// same scaled-magnitude scores, straight-through mask and optimizer as VPNs but no prompt, trained
/// on augmented batches. One global threshold over all layers where HYDRA's paper cuts each layer
/// to its own top-k: VPNs' code cuts globally and the comparison isolates the prompt.
/// </summary>
public sealed class HydraMethod : ScoreMethod
{
    protected override bool LearnsPrompt => false;
    protected override string Name => "HYDRA";
}
