using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// A layer whose one weight tensor unstructured pruning masks (Conv2d, Linear). While
/// <see cref="WeightView"/> is set the forward uses its result in place of W — how a score mask
/// (W ⊙ m, with the straight-through gradient to the scores) acts inside a backbone that knows
/// nothing of scores. Null runs on W itself.
/// </summary>
public interface IMaskableWeight
{
    Parameter Weight { get; }

    /// <summary>Inputs feeding one output: in·kh·kw for a convolution, in for a linear.</summary>
    int FanIn { get; }

    Func<Tensor, Tensor>? WeightView { get; set; }

    /// <summary>
    /// While set, the layer's forward runs this on its input instead of its own op: how a
    /// sparse-weight kernel over the layer's nonzeros takes its place at inference.
    /// </summary>
    Func<Tensor, Tensor>? ForwardReplacement { get; set; }
}
