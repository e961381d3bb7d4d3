using System.Buffers;
using System.Numerics.Tensors;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Channel gather/scatter as row copies of length inner, and the weight mask as scaled rows; the
/// mask gradients are summed in double, in increasing index order, over fixed chunks.
/// </summary>
public partial class CpuBackend
{
    protected override void RunGatherChannels(DeviceBuffer<float> x, ChannelSelection selection, DeviceBuffer<float> y, int outer, int inner)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y); var idx = ArrayOf(selection.IndexBuffer);
        int count = selection.Count, width = selection.Width;
        CpuParallel.For(outer * count, Math.Max(1, ElementGrain / inner), (s, e) =>
        {
            for (int row = s; row < e; row++)
            {
                int o = row / count, j = row - o * count;
                xa.AsSpan((o * width + idx[j]) * inner, inner).CopyTo(ya.AsSpan(row * inner, inner));
            }
        });
    }

    protected override void RunScatterChannels(DeviceBuffer<float> y, ChannelSelection selection, DeviceBuffer<float> x, int outer, int inner, bool zeroOthers)
    {
        var ya = ArrayOf(y); var xa = ArrayOf(x);
        int count = selection.Count, width = selection.Width;
        if (zeroOthers)
        {
            // Walk x so every row is written once: copied from its position in y, or cleared.
            var pos = ArrayOf(selection.PositionBuffer);
            CpuParallel.For(outer * width, Math.Max(1, ElementGrain / inner), (s, e) =>
            {
                for (int row = s; row < e; row++)
                {
                    int o = row / width, p = pos[row - o * width];
                    var dst = xa.AsSpan(row * inner, inner);
                    if (p >= 0) ya.AsSpan((o * count + p) * inner, inner).CopyTo(dst);
                    else dst.Clear();
                }
            });
            return;
        }
        var idx = ArrayOf(selection.IndexBuffer);
        CpuParallel.For(outer * count, Math.Max(1, ElementGrain / inner), (s, e) =>
        {
            for (int row = s; row < e; row++)
            {
                int o = row / count, j = row - o * count;
                ya.AsSpan(row * inner, inner).CopyTo(xa.AsSpan((o * width + idx[j]) * inner, inner));
            }
        });
    }

    protected override void RunMaskWeight(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> y,
                                          int outChannels, int inChannels, int kernelArea)
        => ScaleWeightRows(ArrayOf(w), ArrayOf(outMask), inMask is null ? null : ArrayOf(inMask), ArrayOf(y), outChannels, inChannels, kernelArea);

    /// <summary>y[o, c, k] = w[o, c, k]·(outMask[o]·inMask[c]): the forward and, applied to dy, dw.</summary>
    private static void ScaleWeightRows(float[] w, float[] outMask, float[]? inMask, float[] y, int outChannels, int inChannels, int kernelArea)
    {
        int row = inChannels * kernelArea;
        CpuParallel.For(outChannels, Math.Max(1, ElementGrain / row), (s, e) =>
        {
            for (int o = s; o < e; o++)
            {
                float mo = outMask[o];
                int rowStart = o * row;
                if (inMask is null)
                {
                    TensorPrimitives.Multiply(w.AsSpan(rowStart, row), mo, y.AsSpan(rowStart, row));
                    continue;
                }
                for (int c = 0; c < inChannels; c++)
                {
                    float scale = mo * inMask[c];
                    int at = rowStart + c * kernelArea;
                    for (int k = 0; k < kernelArea; k++) y[at + k] = w[at + k] * scale;
                }
            }
        });
    }

    protected override void RunMaskWeightBackward(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> dy,
                                                  DeviceBuffer<float>? dw, DeviceBuffer<float>? dOutMask, DeviceBuffer<float>? dInMask,
                                                  int outChannels, int inChannels, int kernelArea)
    {
        var wa = ArrayOf(w); var mo = ArrayOf(outMask); var mi = inMask is null ? null : ArrayOf(inMask); var dya = ArrayOf(dy);
        if (dOutMask is null && dInMask is null)
        {
            ScaleWeightRows(dya, mo, mi, ArrayOf(dw!), outChannels, inChannels, kernelArea);
            return;
        }
        // One pass over the rows computes t[o, c] = Σ_k dy·w in double (each segment read before dw
        // overwrites it, so dw may alias dy), dOutMask from it, and dw; dInMask then sums t's columns.
        double[]? t = dInMask is null ? null : ArrayPool<double>.Shared.Rent(outChannels * inChannels);
        try
        {
            var dwa = dw is null ? null : ArrayOf(dw);
            var dmo = dOutMask is null ? null : ArrayOf(dOutMask);
            int row = inChannels * kernelArea;
            CpuParallel.For(outChannels, Math.Max(1, ElementGrain / row), (s, e) =>
            {
                for (int o = s; o < e; o++)
                {
                    double acc = 0;
                    for (int c = 0, at = o * row; c < inChannels; c++, at += kernelArea)
                    {
                        double dot = 0;
                        for (int k = 0; k < kernelArea; k++) dot += (double)dya[at + k] * wa[at + k];
                        if (t is not null) t[o * inChannels + c] = dot;
                        float m = mi is null ? 1f : mi[c];
                        acc += m * dot;
                        if (dwa is null) continue;
                        float scale = mo[o] * m;
                        for (int k = 0; k < kernelArea; k++) dwa[at + k] = dya[at + k] * scale;
                    }
                    if (dmo is not null) dmo[o] = (float)acc;
                }
            });
            if (t is not null) InMaskGradient(t, mo, ArrayOf(dInMask!), outChannels, inChannels);
        }
        finally
        {
            if (t is not null) ArrayPool<double>.Shared.Return(t);
        }
    }

    /// <summary>dInMask[c] = Σ_o outMask[o]·t[o, c], o ascending, in double; chunks of c run in parallel.</summary>
    private static void InMaskGradient(double[] t, float[] outMask, float[] dInMask, int outChannels, int inChannels)
    {
        CpuParallel.For(inChannels, Math.Max(1, ElementGrain / outChannels), (s, e) =>
        {
            int len = e - s;
            Span<double> acc = len <= 2048 ? stackalloc double[len] : new double[len];
            acc.Clear();
            for (int o = 0; o < outChannels; o++)
            {
                double m = outMask[o];
                var col = t.AsSpan(o * inChannels + s, len);
                for (int c = 0; c < len; c++) acc[c] += m * col[c];
            }
            for (int c = 0; c < len; c++) dInMask[s + c] = (float)acc[c];
        });
    }
}
