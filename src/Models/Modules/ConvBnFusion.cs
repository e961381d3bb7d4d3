using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// The inference path of conv → batch-norm (→ + residual) (→ ReLU): batch-norm's running statistics
/// folded into a per-channel weight scale and the conv's bias (F.FoldBatchNormScale), the scale
/// applied by the conv to its weights, and the tail run in the conv's epilogue (F.Conv2dInference),
/// so the block makes one pass over its output instead of three or four.
/// It applies only where nothing can tell the difference: no tape (Autograd.NoGrad), batch-norm in
/// evaluation mode, and no forward hook or replaced forward on the modules involved (PASS's channel
/// masks hook them). The fold is recomputed on every call — per channel only; the weights are scaled
/// where the conv reads them — so it never goes stale when the weights are trained.
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
        var (scale, b) = Fold(conv, bn);
        using (scale)
        using (b)
            return F.Conv2dInference(x, Weight(conv), b, conv.Stride, conv.Padding, residual, relu, scale);
    }

    /// <summary>
    /// relu?(bn2(conv2(relu(bn1(conv1(x))))) + residual): a basic block's body as one pair of convs
    /// (F.Conv2dPairInference), both batch-norms folded, the intermediate never handed out.
    /// </summary>
    public static Tensor ForwardPair(Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, Tensor x, Tensor? residual, bool relu)
    {
        if (conv2.Stride != 1) throw new ArgumentException($"a fused conv pair needs the second conv at stride 1, not {conv2.Stride}", nameof(conv2));
        var (s1, b1) = Fold(conv1, bn1);
        var (s2, b2) = Fold(conv2, bn2);
        using (s1)
        using (b1)
        using (s2)
        using (b2)
            return F.Conv2dPairInference(x, Weight(conv1), b1, conv1.Stride, conv1.Padding, Weight(conv2), b2, conv2.Padding, residual, relu, s1, s2);
    }

    /// <summary>
    /// The batch-norm as a per-channel weight scale and a bias: the conv scales its weights itself
    /// (where it packs them, on the way), so no folded copy of the weights is written and read back
    /// each forward — ResNet-18's 11 M weights made that 2 ms of a 85 ms forward at batch 32.
    /// </summary>
    private static (Tensor Scale, Tensor Bias) Fold(Conv2d conv, BatchNorm2d bn) =>
        F.FoldBatchNormScale(conv.Bias?.Value, bn.Weight.Value, bn.Bias.Value, bn.RunningMean, bn.RunningVar, bn.Eps);

    private static Tensor Weight(Conv2d conv) => conv.WeightView?.Invoke(conv.Weight.Value) ?? conv.Weight.Value;
}
