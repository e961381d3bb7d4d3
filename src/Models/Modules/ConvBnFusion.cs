using SparseCore.Kernels.Conv;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// The inference path of conv → batch-norm (→ + residual) (→ ReLU): batch-norm's running statistics
/// folded into the conv — as a per-channel weight scale the conv applies as it reads its weights
/// where the backend does that (F.FoldBatchNormScale), else into folded weights (F.FoldBatchNorm) —
/// and the tail run in the conv's epilogue (F.Conv2dInference), so the block makes one pass over
/// its output instead of three or four.
/// It applies only where nothing can tell the difference: no tape (Autograd.NoGrad), batch-norm in
/// evaluation mode, and no forward hook or replaced forward on the modules involved (PASS's channel
/// masks hook them). The fold is recomputed on every call, so it never goes stale when the weights
/// are trained.
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
        var weight = Weight(conv);
        var (w, b, scale) = Fold(conv, bn, weight, F.Conv2dInferenceShape(x.Shape, weight, conv.Stride, conv.Padding));
        using (b)
        using (scale)
        using (ReferenceEquals(w, weight) ? null : w)
            return F.Conv2dInference(x, w, b, conv.Stride, conv.Padding, residual, relu, scale);
    }

    /// <summary>
    /// relu?(bn2(conv2(relu(bn1(conv1(x))))) + residual): a basic block's body as one pair of convs
    /// (F.Conv2dPairInference), both batch-norms folded, the intermediate never handed out.
    /// </summary>
    public static Tensor ForwardPair(Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, Tensor x, Tensor? residual, bool relu)
    {
        if (conv2.Stride != 1) throw new ArgumentException($"a fused conv pair needs the second conv at stride 1, not {conv2.Stride}", nameof(conv2));
        var (weight1, weight2) = (Weight(conv1), Weight(conv2));
        var first = F.Conv2dInferenceShape(x.Shape, weight1, conv1.Stride, conv1.Padding);
        var second = F.Conv2dInferenceShape(new Shape(first.N, first.Cout, first.OutH, first.OutW), weight2, 1, conv2.Padding);
        var (w1, b1, s1) = Fold(conv1, bn1, weight1, first);
        var (w2, b2, s2) = Fold(conv2, bn2, weight2, second);
        using (b1)
        using (s1)
        using (ReferenceEquals(w1, weight1) ? null : w1)
        using (b2)
        using (s2)
        using (ReferenceEquals(w2, weight2) ? null : w2)
            return F.Conv2dPairInference(x, w1, b1, conv1.Stride, conv1.Padding, w2, b2, conv2.Padding, residual, relu, s1, s2);
    }

    /// <summary>
    /// The batch-norm folded in: where the backend scales the conv's weights as it reads them
    /// (Backend.ScalesConvWeights — the CPU's lane form, which packs them anyway), as a per-channel
    /// weight scale and a bias, so no folded copy of the weights is written and read back each
    /// forward (ResNet-18's last three stages: 2 ms of an 85 ms forward at batch 32); elsewhere as
    /// folded weights (one kernel, where a scale would cost a scaled copy and two small kernels more).
    /// </summary>
    private static (Tensor Weight, Tensor Bias, Tensor? Scale) Fold(Conv2d conv, BatchNorm2d bn, Tensor weight, Conv2dShape shape)
    {
        if (weight.Backend.ScalesConvWeights(shape))
        {
            var (scale, bias) = F.FoldBatchNormScale(conv.Bias?.Value, bn.Weight.Value, bn.Bias.Value, bn.RunningMean, bn.RunningVar, bn.Eps);
            return (weight, bias, scale);
        }
        var (w, b) = F.FoldBatchNorm(weight, conv.Bias?.Value, bn.Weight.Value, bn.Bias.Value, bn.RunningMean, bn.RunningVar, bn.Eps);
        return (w, b, null);
    }

    private static Tensor Weight(Conv2d conv) => conv.WeightView?.Invoke(conv.Weight.Value) ?? conv.Weight.Value;
}
