namespace SparseCore.Kernels.Diagnostics;

/// <summary>
/// The kernel families a <see cref="Profiler"/> row is kept for. Conv is split by direction because
/// its three passes have different shapes and costs; the others take their direction from the
/// region they run in (an elementwise add in the backward pass is backward work).
/// </summary>
public enum OpFamily
{
    ConvForward,
    ConvBackwardData,
    ConvBackwardWeights,
    Gemm,
    BatchNorm,
    LayerNorm,
    Elementwise,
    Pooling,
    Reduction,
    SoftmaxLoss,
    Layout,
    ChannelMasking,
    Lstm,
    SparseWeights,
    Optimizer,
    RandomFill,
    Transfer,
}

public static class OpFamilyNames
{
    /// <summary>The row label a report prints.</summary>
    public static string Label(this OpFamily family) => family switch
    {
        OpFamily.ConvForward => "conv forward",
        OpFamily.ConvBackwardData => "conv data-gradient",
        OpFamily.ConvBackwardWeights => "conv weight-gradient",
        OpFamily.Gemm => "GEMM",
        OpFamily.BatchNorm => "batch-norm",
        OpFamily.LayerNorm => "layer-norm",
        OpFamily.Elementwise => "elementwise",
        OpFamily.Pooling => "pooling",
        OpFamily.Reduction => "reduction",
        OpFamily.SoftmaxLoss => "softmax / cross-entropy",
        OpFamily.Layout => "layout copies",
        OpFamily.ChannelMasking => "channel masks / gathers",
        OpFamily.Lstm => "LSTM cell",
        OpFamily.SparseWeights => "sparse-weight conv / linear",
        OpFamily.Optimizer => "optimizer step",
        OpFamily.RandomFill => "random fill",
        OpFamily.Transfer => "host transfers and copies",
        _ => family.ToString(),
    };
}
