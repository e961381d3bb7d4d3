using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// What the conv forward does to its output before it is stored: y = relu?(conv(x, w) + bias +
/// residual), the tail of a ResNet block at inference once batch-norm is folded into the conv.
/// Why: as separate ops the add and the ReLU are two more passes over y in memory; here they touch
/// each output once, right after it is computed. The default does nothing.
/// </summary>
public readonly record struct ConvEpilogue(DeviceBuffer<float>? Residual = null, bool Relu = false)
{
    public static ConvEpilogue None => default;

    public bool IsNone => Residual is null && !Relu;
}
