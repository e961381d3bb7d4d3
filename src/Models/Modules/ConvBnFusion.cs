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
        var (w, b) = Fold(conv, bn);
        using (w)
        using (b)
            return F.Conv2dInference(x, w, b, conv.Stride, conv.Padding, residual, relu);
    }

    /// <summary>
    /// relu?(bn2(conv2(relu(bn1(conv1(x))))) + residual): a basic block's body as one pair of convs
    /// (F.Conv2dPairInference), both batch-norms folded, the intermediate never handed out.
    /// </summary>
    public static Tensor ForwardPair(Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, Tensor x, Tensor? residual, bool relu)
    {
        if (conv2.Stride != 1) throw new ArgumentException($"a fused conv pair needs the second conv at stride 1, not {conv2.Stride}", nameof(conv2));
        var (w1, b1) = Fold(conv1, bn1);
        var (w2, b2) = Fold(conv2, bn2);
        using (w1)
        using (b1)
        using (w2)
        using (b2)
            return F.Conv2dPairInference(x, w1, b1, conv1.Stride, conv1.Padding, w2, b2, conv2.Padding, residual, relu);
    }

    private static (Tensor Weight, Tensor Bias) Fold(Conv2d conv, BatchNorm2d bn)
    {
        var weight = conv.WeightView?.Invoke(conv.Weight.Value) ?? conv.Weight.Value;
        return F.FoldBatchNorm(weight, conv.Bias?.Value, bn.Weight.Value, bn.Bias.Value, bn.RunningMean, bn.RunningVar, bn.Eps);
    }
}
