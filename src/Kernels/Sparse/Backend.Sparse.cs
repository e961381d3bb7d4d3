using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels;

/// <summary>
/// The sparse-weight family's contract: conv2d and linear forwards whose weight is a
/// <see cref="SparseWeight"/> (compressed rows of an unstructured-pruned weight), so the work is
/// proportional to the nonzeros rather than to the dense weight. Inference only: there is no
/// backward. Each output is its row's nonzeros summed in row (dense) order, then the bias added
/// once, so the result does not depend on how the work is split.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// y = conv(x, w) (+ bias[co] on every output of channel co), as <see cref="Conv2dForward"/>
    /// computes it on w's dense form. w must be a conv weight of this backend matching the shape's
    /// [Cout, Cin, KH, KW]; y is written, never read.
    /// </summary>
    public void SparseConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
    {
        const string op = "SparseConv2dForward";
        shape.Validate(op);
        CheckSparseWeight(op, w);
        if (w.IsLinear)
            throw new ArgumentException($"{op}: the sparse weight is a linear weight {w.Shape}, not a conv weight [Cout, Cin, KH, KW]");
        if (w.OutChannels != shape.Cout || w.InChannels != shape.Cin || w.KernelH != shape.KH || w.KernelW != shape.KW)
            throw new ArgumentException($"{op}: the sparse weight is {w.Shape} but the conv needs [{shape.Cout}, {shape.Cin}, {shape.KH}, {shape.KW}]");
        CheckLength(op, "x", x, shape.XLength);
        if (bias is not null) CheckLength(op, "bias", bias, shape.Cout);
        CheckLength(op, "y", y, shape.YLength);
        using var profile = Profile(OpFamily.SparseWeights, 2.0 * w.Nonzeros * shape.N * shape.OutH * shape.OutW, 4.0 * (shape.XLength + w.Nonzeros * 2 + shape.YLength));
        RunSparseConv2dForward(shape, x, w, bias, y);
    }

    /// <summary>
    /// y = x·wᵀ (+ bias) for x [batch, In] and a linear weight w [Out, In]; y [batch, Out] is
    /// written, never read.
    /// </summary>
    public void SparseLinearForward(DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int batch)
    {
        const string op = "SparseLinearForward";
        CheckSparseWeight(op, w);
        if (!w.IsLinear)
            throw new ArgumentException($"{op}: the sparse weight is a conv weight {w.Shape}, not a linear weight [out, in]");
        if (batch < 1) throw new ArgumentException($"{op}: batch must be ≥ 1, got {batch}");
        long xLength = (long)batch * w.InChannels, yLength = (long)batch * w.OutChannels;
        if (xLength > int.MaxValue || yLength > int.MaxValue)
            throw new ArgumentException($"{op}: a batch of {batch} with weight {w.Shape} exceeds {int.MaxValue} elements in one buffer");
        CheckLength(op, "x", x, xLength);
        if (bias is not null) CheckLength(op, "bias", bias, w.OutChannels);
        CheckLength(op, "y", y, yLength);
        using var profile = Profile(OpFamily.SparseWeights, 2.0 * w.Nonzeros * batch, 4.0 * (w.Nonzeros * 2.0 + batch * (w.InChannels + w.OutChannels)));
        RunSparseLinearForward(x, w, bias, y, batch);
    }

    private void CheckSparseWeight(string op, SparseWeight w)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (!ReferenceEquals(w.Backend, this))
            throw new ArgumentException($"{op}: the sparse weight was built on another backend instance ('{w.Backend.Name}'), not on this '{Name}' backend");
        CheckOwned(w.ValueBuffer, op); // a disposed weight throws here, naming its shape
    }

    protected abstract void RunSparseConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y);
    protected abstract void RunSparseLinearForward(DeviceBuffer<float> x, SparseWeight w, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int batch);
}
