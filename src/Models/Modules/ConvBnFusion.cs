using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// The inference path of conv → batch-norm (→ + residual) (→ ReLU): batch-norm's running statistics
/// folded into the conv's weight and bias (F.FoldBatchNorm) and the tail run in the conv's epilogue
/// (F.Conv2dInference), so the block makes one pass over its output instead of three or four.
/// It applies only where nothing can tell the difference: no tape (Autograd.NoGrad), batch-norm in
/// evaluation mode, and no forward hook or replaced forward on the modules involved (PASS's channel
/// masks hook them). The fold is recomputed on every call — one pass over the weights, far cheaper
/// than the activations at any batch — so it never goes stale when the weights are trained.
/// Rounding differs from the unfused ops (w·s summed instead of the sum scaled); tests bound it.
/// </summary>
public static class ConvBnFusion
{
    /// <summary>Whether the pairs (and the other modules a block runs) may take the fused path now.</summary>
    public static bool Applies(params Module?[] modules)
    {
        if (Autograd.IsEnabled) return false;
        foreach (var m in modules)
        {
            if (m is null) continue;
            if (m.HasForwardHooks) return false;
            if (m is BatchNorm2d { Training: true }) return false;
            if (m is Conv2d { ForwardReplacement: not null }) return false;
        }
        return true;
    }

    /// <summary>relu?(bn(conv(x)) + residual) as one conv with the batch-norm folded in.</summary>
    public static Tensor Forward(Conv2d conv, BatchNorm2d bn, Tensor x, Tensor? residual = null, bool relu = false)
    {
        var weight = conv.WeightView?.Invoke(conv.Weight.Value) ?? conv.Weight.Value;
        var (w, b) = F.FoldBatchNorm(weight, conv.Bias?.Value, bn.Weight.Value, bn.Bias.Value, bn.RunningMean, bn.RunningVar, bn.Eps);
        using (w)
        using (b)
            return F.Conv2dInference(x, w, b, conv.Stride, conv.Padding, residual, relu);
    }
}
