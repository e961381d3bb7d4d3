using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// Gather conv: a conv2d over the full layer's tensors that computes only the kept output
/// channels from the kept input channels, reading both through <see cref="ChannelSelection"/>
/// index lists — work ∝ kept_in × kept_out, and no persistent copy of the weights (the pruned
/// layer's other form, compact conv, slices the weights once instead).
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// y[n, j] = Σ_c conv(x[n, inSel[c]], w[outSel[j], inSel[c]]) (+ bias[outSel[j]]), c over the
    /// kept input channels in inSel's order. <paramref name="shape"/> is the full layer: x is
    /// [N, Cin, H, W], w [Cout, Cin, KH, KW], bias [Cout]; y is [N, outSel.Count, OutH, OutW],
    /// written, never read. inSel selects out of Cin channels, outSel out of Cout. With no kept
    /// input channel y is the bias (or 0); with no kept output channel there is nothing to write.
    /// </summary>
    public void GatherConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias,
                                    ChannelSelection inSel, ChannelSelection outSel, DeviceBuffer<float> y)
    {
        const string op = "GatherConv2dForward";
        shape.Validate(op);
        ArgumentNullException.ThrowIfNull(inSel);
        ArgumentNullException.ThrowIfNull(outSel);
        if (inSel.Width != shape.Cin)
            throw new ArgumentException($"{op}: inSel selects out of {inSel.Width} channels but the conv has Cin = {shape.Cin} input channels");
        if (outSel.Width != shape.Cout)
            throw new ArgumentException($"{op}: outSel selects out of {outSel.Width} channels but the conv has Cout = {shape.Cout} output channels");
        CheckOwned(inSel.IndexBuffer, op); CheckOwned(outSel.IndexBuffer, op);
        CheckLength(op, "x", x, shape.XLength); CheckLength(op, "w", w, shape.WeightLength);
        if (bias is not null) CheckLength(op, "bias", bias, shape.Cout);
        CheckLength(op, "y", y, (long)shape.N * outSel.Count * shape.OutH * shape.OutW);
        using var profile = Profile(OpFamily.ConvForward, shape.Flops * inSel.Count / shape.Cin * outSel.Count / shape.Cout, 4.0 * (shape.XLength + shape.WeightLength + (long)shape.N * outSel.Count * shape.OutH * shape.OutW));
        if (outSel.Count > 0) RunGatherConv2dForward(shape, x, w, bias, inSel, outSel, y);
    }

    protected abstract void RunGatherConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias,
                                                   ChannelSelection inSel, ChannelSelection outSel, DeviceBuffer<float> y);
}
