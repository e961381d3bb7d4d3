using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Sparse;

/// <summary>
/// A pruned weight in compressed rows (CSR), for the forward kernels of Backend.Sparse.cs that
/// skip its zeros: built once on the host from the dense weight, validated, uploaded once. Row o
/// holds output channel o's nonzeros in dense order; entries RowStarts[o] … RowStarts[o + 1] − 1
/// of the tap list (each entry's input channel and kernel offset, packed as <see cref="SparseTap"/>
/// describes) and of the value list belong to it. A conv weight is [Cout, Cin, KH, KW], a linear
/// one [Out, In]. An entry is kept unless it is exactly zero (±0), so a NaN weight stays and
/// propagates as in the dense layer; but a pruned weight contributes nothing even against an
/// infinite input, where the dense product 0·∞ would give NaN. A row without nonzeros, or a layer
/// without any, is legal: those outputs are the bias.
/// Owns three device buffers — row starts int[Out + 1], taps int[Nonzeros], values
/// float[Nonzeros] — released by Dispose.
/// </summary>
public sealed class SparseWeight : IDisposable
{
    private readonly int[] rowStarts;
    private DeviceBuffer<int>? rowStartBuffer;
    private DeviceBuffer<int>? tapBuffer;
    private DeviceBuffer<float>? valueBuffer;

    private SparseWeight(Backend backend, bool isLinear, int outChannels, int inChannels, int kernelH, int kernelW,
                         int[] rowStarts, int[] taps, float[] values)
    {
        Backend = backend;
        IsLinear = isLinear;
        OutChannels = outChannels;
        InChannels = inChannels;
        KernelH = kernelH;
        KernelW = kernelW;
        this.rowStarts = rowStarts;
        rowStartBuffer = backend.Allocate<int>(rowStarts.Length);
        tapBuffer = backend.Allocate<int>(taps.Length);
        valueBuffer = backend.Allocate<float>(values.Length);
        backend.Upload<int>(rowStarts, rowStartBuffer);
        backend.Upload<int>(taps, tapBuffer);
        backend.Upload<float>(values, valueBuffer);
    }

    /// <summary>
    /// The nonzeros of a conv weight [outChannels, inChannels, kernelH, kernelW] (row-major, as
    /// <see cref="Backend.Conv2dForward"/> reads it). Bad extents or a length that does not match
    /// them are an ArgumentException naming <paramref name="op"/>.
    /// </summary>
    public static SparseWeight FromConv(Backend backend, ReadOnlySpan<float> weight, int outChannels, int inChannels, int kernelH, int kernelW,
                                        string op = nameof(SparseWeight))
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (kernelH < 1 || kernelH > Conv2dShape.MaxKernel || kernelW < 1 || kernelW > Conv2dShape.MaxKernel)
            throw new ArgumentException($"{op}: kernel {kernelH}×{kernelW} is outside 1×1 … {Conv2dShape.MaxKernel}×{Conv2dShape.MaxKernel}");
        return Build(backend, weight, false, outChannels, inChannels, kernelH, kernelW, op);
    }

    /// <summary>The nonzeros of a linear weight [outFeatures, inFeatures], as torch.nn.Linear stores it.</summary>
    public static SparseWeight FromLinear(Backend backend, ReadOnlySpan<float> weight, int outFeatures, int inFeatures, string op = nameof(SparseWeight))
    {
        ArgumentNullException.ThrowIfNull(backend);
        return Build(backend, weight, true, outFeatures, inFeatures, 1, 1, op);
    }

    private static SparseWeight Build(Backend backend, ReadOnlySpan<float> weight, bool isLinear, int outChannels, int inChannels, int kernelH, int kernelW, string op)
    {
        string shape = ShapeText(isLinear, outChannels, inChannels, kernelH, kernelW);
        if (outChannels < 1 || inChannels < 1)
            throw new ArgumentException($"{op}: every extent of weight {shape} must be ≥ 1");
        if (inChannels > SparseTap.MaxChannels)
            throw new ArgumentException($"{op}: weight {shape} has {inChannels} input channels; a sparse entry can name at most {SparseTap.MaxChannels}");
        long length = (long)outChannels * inChannels * kernelH * kernelW;
        if (length > int.MaxValue)
            throw new ArgumentException($"{op}: weight {shape} exceeds {int.MaxValue} elements");
        if (weight.Length != length)
            throw new ArgumentException($"{op}: weight has {weight.Length} values, {shape} needs {length}");

        int nonzeros = 0;
        foreach (float v in weight)
            if (v != 0f) nonzeros++;
        var rowStarts = new int[outChannels + 1];
        var taps = new int[nonzeros];
        var values = new float[nonzeros];
        int e = 0, at = 0;
        for (int o = 0; o < outChannels; o++)
        {
            for (int c = 0; c < inChannels; c++)
                for (int ky = 0; ky < kernelH; ky++)
                    for (int kx = 0; kx < kernelW; kx++, at++)
                    {
                        if (weight[at] == 0f) continue;
                        taps[e] = SparseTap.Encode(c, ky, kx);
                        values[e++] = weight[at];
                    }
            rowStarts[o + 1] = e;
        }
        return new SparseWeight(backend, isLinear, outChannels, inChannels, kernelH, kernelW, rowStarts, taps, values);
    }

    public Backend Backend { get; }

    /// <summary>True for a linear weight [Out, In], false for a conv weight [Cout, Cin, KH, KW].</summary>
    public bool IsLinear { get; }

    public int OutChannels { get; }
    public int InChannels { get; }
    public int KernelH { get; }
    public int KernelW { get; }

    public int Nonzeros => rowStarts[^1];

    /// <summary>Nonzeros over the dense weight's element count.</summary>
    public double Density => (double)Nonzeros / ((long)OutChannels * InChannels * KernelH * KernelW);

    public int RowNonzeros(int row) => rowStarts[row + 1] - rowStarts[row];

    /// <summary>The dense shape, as "[Out, In]" or "[Cout, Cin, KH, KW]".</summary>
    public string Shape => ShapeText(IsLinear, OutChannels, InChannels, KernelH, KernelW);

    public bool IsDisposed => valueBuffer is null;

    /// <summary>Row starts on the device: int[OutChannels + 1], the last one <see cref="Nonzeros"/>.</summary>
    public DeviceBuffer<int> RowStartBuffer => rowStartBuffer ?? throw Disposed();

    /// <summary>Packed (channel, ky, kx) of every nonzero on the device, rows one after another.</summary>
    public DeviceBuffer<int> TapBuffer => tapBuffer ?? throw Disposed();

    /// <summary>The nonzero values on the device, in the taps' order.</summary>
    public DeviceBuffer<float> ValueBuffer => valueBuffer ?? throw Disposed();

    /// <summary>The dense weight back from the device: the nonzeros in place, zeros elsewhere.</summary>
    public float[] ToDense()
    {
        int[] taps = Backend.ToArray(TapBuffer);
        float[] values = Backend.ToArray(ValueBuffer);
        var dense = new float[(long)OutChannels * InChannels * KernelH * KernelW];
        for (int o = 0; o < OutChannels; o++)
            for (int e = rowStarts[o]; e < rowStarts[o + 1]; e++)
            {
                int tap = taps[e];
                dense[((o * InChannels + SparseTap.Channel(tap)) * KernelH + SparseTap.Row(tap)) * KernelW + SparseTap.Column(tap)] = values[e];
            }
        return dense;
    }

    public void Dispose()
    {
        rowStartBuffer?.Dispose();
        tapBuffer?.Dispose();
        valueBuffer?.Dispose();
        rowStartBuffer = null;
        tapBuffer = null;
        valueBuffer = null;
    }

    public override string ToString() => $"SparseWeight({Shape}, {Nonzeros} nonzeros on {Backend.Name})";

    private ObjectDisposedException Disposed() =>
        new(nameof(SparseWeight), $"sparse weight {Shape} with {Nonzeros} nonzeros was used after Dispose");

    private static string ShapeText(bool isLinear, int outChannels, int inChannels, int kernelH, int kernelW) =>
        isLinear ? $"[{outChannels}, {inChannels}]" : $"[{outChannels}, {inChannels}, {kernelH}, {kernelW}]";
}
