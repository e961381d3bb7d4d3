using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// The masked-channel family's contract: channel gather/scatter through a validated
/// <see cref="ChannelSelection"/>, and the weight mask W ⊙ (m_out ⊗ m_in) with its gradients.
/// Tensors are viewed as [outer, channels, inner]: an activation [N, C, H, W] is outer = N,
/// inner = H·W; a weight [Cout, Cin, KH, KW] is outer = 1, inner = Cin·KH·KW along its output
/// channels, or outer = Cout, inner = KH·KW along its input channels.
/// </summary>
public abstract partial class Backend
{
    /// <summary>y[o, j, i] = x[o, Indices[j], i]: x is [outer, Width, inner], y is [outer, Count, inner].</summary>
    public void GatherChannels(DeviceBuffer<float> x, ChannelSelection selection, DeviceBuffer<float> y, int outer, int inner)
    {
        const string op = "GatherChannels";
        CheckSelection(op, selection, outer, inner);
        CheckLength(op, "x", x, (long)outer * selection.Width * inner);
        CheckLength(op, "y", y, (long)outer * selection.Count * inner);
        using var profile = Profile(OpFamily.ChannelMasking, 0, 8.0 * outer * selection.Count * inner);
        if (selection.Count > 0) RunGatherChannels(x, selection, y, outer, inner);
    }

    /// <summary>
    /// x[o, Indices[j], i] = y[o, j, i] — gather's adjoint. With <paramref name="zeroOthers"/> the
    /// dropped channels of x are set to 0 (x is write-only); without, they are left as they were.
    /// </summary>
    public void ScatterChannels(DeviceBuffer<float> y, ChannelSelection selection, DeviceBuffer<float> x, int outer, int inner, bool zeroOthers)
    {
        const string op = "ScatterChannels";
        CheckSelection(op, selection, outer, inner);
        CheckLength(op, "y", y, (long)outer * selection.Count * inner);
        CheckLength(op, "x", x, (long)outer * selection.Width * inner);
        if (selection.Count == 0)
        {
            if (zeroOthers) RunFill(x, 0f);
            return;
        }
        using var profile = Profile(OpFamily.ChannelMasking, 0, 8.0 * outer * selection.Count * inner);
        RunScatterChannels(y, selection, x, outer, inner, zeroOthers);
    }

    /// <summary>
    /// y[o, c, k] = w[o, c, k]·outMask[o]·inMask[c] for w viewed as [outChannels, inChannels,
    /// kernelArea] (kernelArea = KH·KW; 1 for a linear [out, in]). inMask may be null (a linear's
    /// input, the stem's image channels): then it is all ones. y may be w.
    /// </summary>
    public void MaskWeight(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> y,
                           int outChannels, int inChannels, int kernelArea)
    {
        const string op = "MaskWeight";
        CheckWeightMask(op, w, outMask, inMask, outChannels, inChannels, kernelArea);
        CheckLength(op, "y", y, (long)outChannels * inChannels * kernelArea);
        using var profile = Profile(OpFamily.ChannelMasking, 0, 8.0 * outChannels * inChannels * kernelArea);
        RunMaskWeight(w, outMask, inMask, y, outChannels, inChannels, kernelArea);
    }

    /// <summary>
    /// Gradients of <see cref="MaskWeight"/> from dy: dw = dy·outMask[o]·inMask[c];
    /// dOutMask[o] = Σ_{c,k} dy·w·inMask[c]; dInMask[c] = Σ_{o,k} dy·w·outMask[o], each summed in a
    /// fixed order. Any output may be null when not needed (dInMask needs inMask). dw may alias dy.
    /// </summary>
    public void MaskWeightBackward(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> dy,
                                   DeviceBuffer<float>? dw, DeviceBuffer<float>? dOutMask, DeviceBuffer<float>? dInMask,
                                   int outChannels, int inChannels, int kernelArea)
    {
        const string op = "MaskWeightBackward";
        CheckWeightMask(op, w, outMask, inMask, outChannels, inChannels, kernelArea);
        long total = (long)outChannels * inChannels * kernelArea;
        CheckLength(op, "dy", dy, total);
        if (dw is not null) CheckLength(op, "dw", dw, total);
        if (dOutMask is not null) CheckLength(op, "dOutMask", dOutMask, outChannels);
        if (dInMask is not null)
        {
            if (inMask is null) throw new ArgumentException($"{op}: dInMask was requested without an inMask");
            CheckLength(op, "dInMask", dInMask, inChannels);
        }
        if (dw is null && dOutMask is null && dInMask is null) return;
        using var profile = Profile(OpFamily.ChannelMasking, 0, 12.0 * outChannels * inChannels * kernelArea);
        RunMaskWeightBackward(w, outMask, inMask, dy, dw, dOutMask, dInMask, outChannels, inChannels, kernelArea);
    }

    private void CheckSelection(string op, ChannelSelection selection, int outer, int inner)
    {
        ArgumentNullException.ThrowIfNull(selection);
        CheckOwned(selection.IndexBuffer, op);
        if (outer <= 0 || inner <= 0)
            throw new ArgumentException($"{op}: extents must be positive, got outer={outer}, inner={inner}");
        if ((long)outer * selection.Width * inner > int.MaxValue)
            throw new ArgumentException($"{op}: [{outer}, {selection.Width}, {inner}] exceeds {int.MaxValue} elements");
    }

    private void CheckWeightMask(string op, DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask,
                                 int outChannels, int inChannels, int kernelArea)
    {
        if (outChannels <= 0 || inChannels <= 0 || kernelArea <= 0)
            throw new ArgumentException($"{op}: extents must be positive, got out={outChannels}, in={inChannels}, kernel area={kernelArea}");
        long total = (long)outChannels * inChannels * kernelArea;
        if (total > int.MaxValue) throw new ArgumentException($"{op}: [{outChannels}, {inChannels}, {kernelArea}] exceeds {int.MaxValue} elements");
        CheckLength(op, "w", w, total);
        CheckLength(op, "outMask", outMask, outChannels);
        if (inMask is not null) CheckLength(op, "inMask", inMask, inChannels);
    }

    protected abstract void RunGatherChannels(DeviceBuffer<float> x, ChannelSelection selection, DeviceBuffer<float> y, int outer, int inner);
    protected abstract void RunScatterChannels(DeviceBuffer<float> y, ChannelSelection selection, DeviceBuffer<float> x, int outer, int inner, bool zeroOthers);
    protected abstract void RunMaskWeight(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> y,
                                          int outChannels, int inChannels, int kernelArea);
    protected abstract void RunMaskWeightBackward(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> dy,
                                                  DeviceBuffer<float>? dw, DeviceBuffer<float>? dOutMask, DeviceBuffer<float>? dInMask,
                                                  int outChannels, int inChannels, int kernelArea);
}
