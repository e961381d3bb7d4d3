using System.Numerics.Tensors;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

// conv2d on the CPU: im2col per image into a per-thread scratch, then the packed SIMD GEMM
// (CpuGemm.Sgemm), so the convolution runs at GEMM speed once the patch matrix exists. The
// forward of a batch with an image per thread instead packs the patches straight into the GEMM's
// B panels (CpuImplicitConv.cs), skipping the patch matrix's round trip through memory.
//   forward         y_n[Cout, P]    = W[Cout, Cin·KH·KW] · cols_n[Cin·KH·KW, P]  (bias preloaded, beta = 1)
//   backward-data   cols_n          = Wᵀ · dy_n, then col2im scatters cols_n into dx_n
//   backward-weights dW             = Σ_n dy_n · cols_nᵀ, a group of images per GEMM (CpuConvWeightGrad.cs)
// with P = OutH·OutW. A 1×1, stride-1, unpadded conv needs no im2col: x_n already is cols_n.
//
// Threads: forward and backward-data give every image its own output, so with at least as many
// images as team threads the images are dealt out to the WorkerTeam, each running a one-thread
// GEMM (a GEMM called inside a team job runs solo); fewer images run in order with the GEMM itself
// parallel. Both give bit-identical results, since Sgemm's result never depends on its thread count.
// Backward-weights sums over the batch: fixed image ranges, each summed in order into its own
// partial, the partials added in order. The result depends on the inputs alone, not on thread
// count or timing.
public partial class CpuBackend
{
    protected override void RunConv2dForward(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
    {
        var s = shape;
        float[] xa = ArrayOf(x), wa = ArrayOf(w), ya = ArrayOf(y);
        float[]? ba = bias is null ? null : ArrayOf(bias);
        if (CpuConv.UsesImplicitForward(s))
        {
            CpuImplicitConv.Forward(s, xa, wa, ba, ya, null, null);
            return;
        }
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p;
        CpuConv.ForEachImage(s.N, n =>
        {
            var yn = ya.AsSpan(n * outPlane, outPlane);
            if (ba is not null)
                for (int co = 0; co < s.Cout; co++) yn.Slice(co * p, p).Fill(ba[co]);
            var xn = xa.AsSpan(n * inPlane, inPlane);
            ReadOnlySpan<float> cols = CpuConv.IsPointwise(s) ? xn : CpuConv.Im2Col(s, xn, CpuConv.Scratch((long)k * p));
            CpuGemm.Sgemm(false, false, s.Cout, p, k, 1f, wa.AsSpan(0, (int)s.WeightLength), cols, ba is null ? 0f : 1f, yn);
        });
    }

    protected override void RunConv2dBackwardData(in Conv2dShape shape, DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx)
    {
        var s = shape;
        float[] dya = ArrayOf(dy), wa = ArrayOf(w), dxa = ArrayOf(dx);
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p;
        CpuConv.ForEachImage(s.N, n =>
        {
            var dyn = dya.AsSpan(n * outPlane, outPlane);
            var dxn = dxa.AsSpan(n * inPlane, inPlane);
            var wt = wa.AsSpan(0, (int)s.WeightLength);
            if (CpuConv.IsPointwise(s))
            {
                CpuGemm.Sgemm(true, false, s.Cin, p, s.Cout, 1f, wt, dyn, 0f, dxn);
                return;
            }
            var cols = CpuConv.Scratch((long)k * p);
            CpuGemm.Sgemm(true, false, k, p, s.Cout, 1f, wt, dyn, 0f, cols);
            CpuConv.Col2Im(s, cols, dxn);
        });
    }

    protected override void RunConv2dBackwardWeights(in Conv2dShape shape, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float>? dbias)
    {
        var s = shape;
        float[] xa = ArrayOf(x), dya = ArrayOf(dy);
        int p = s.OutH * s.OutW, outPlane = s.Cout * p;
        CpuConvWeightGrad.Run(s, xa, dya, ArrayOf(dw));
        if (dbias is null) return;
        var dba = ArrayOf(dbias);
        CpuParallel.For(s.Cout, Math.Max(1, ElementGrain / Math.Max(1, s.N * p)), (c0, c1) =>
        {
            for (int co = c0; co < c1; co++)
            {
                double sum = 0;
                for (int n = 0; n < s.N; n++) sum += WideSum.Sum(dya.AsSpan(n * outPlane + co * p, p));
                dba[co] = (float)sum;
            }
        });
    }
}

/// <summary>The patch-matrix helpers and image scheduling of the CPU conv2d.</summary>
internal static class CpuConv
{
    [ThreadStatic] private static float[]? t_cols;
    [ThreadStatic] private static float[]? t_rows;

    /// <summary>
    /// Whether the forward packs patches straight into the GEMM panels (CpuImplicitConv): a SIMD
    /// micro-kernel, a real patch matrix to build, and an image for every team thread — with fewer
    /// images im2col + the team-parallel Sgemm keeps both threads busy.
    /// </summary>
    public static bool UsesImplicitForward(in Conv2dShape s) =>
        !IsPointwise(s) && CpuImplicitConv.IsSupported && s.N >= WorkerTeam.Shared.Size;

    /// <summary>A 1×1 stride-1 unpadded conv: the input image is already its own patch matrix.</summary>
    public static bool IsPointwise(in Conv2dShape s) =>
        s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 && s.PadH == 0 && s.PadW == 0;

    /// <summary>This thread's grow-only patch matrix of at least <paramref name="floats"/> (contents undefined).</summary>
    public static Span<float> Scratch(long floats) => Grow(ref t_cols, floats).AsSpan(0, checked((int)floats));

    /// <summary>This thread's second grow-only buffer (contents undefined): a group's output-gradient rows.</summary>
    public static Span<float> GroupRows(long floats) => Grow(ref t_rows, floats).AsSpan(0, checked((int)floats));

    private static float[] Grow(ref float[]? buffer, long floats)
    {
        if (buffer is null || buffer.Length < floats)
        {
            buffer = null; // let the old one go before allocating the new one
            buffer = GC.AllocateUninitializedArray<float>(checked((int)floats));
        }
        return buffer;
    }

    /// <summary>
    /// Runs body(n) for n in [0, count): dealt out round-robin to the team when every thread gets
    /// an image, otherwise in order on the caller. Bodies must write disjoint outputs.
    /// </summary>
    public static void ForEachImage(int count, Action<int> body)
    {
        var team = WorkerTeam.Shared;
        if (team.Size > 1 && count >= team.Size)
        {
            team.Run(new ImageJob(count, body), team.Size);
            return;
        }
        for (int n = 0; n < count; n++) body(n);
    }

    private sealed class ImageJob(int count, Action<int> body) : IWorkerJob
    {
        public void Execute(in WorkerContext ctx)
        {
            for (int n = ctx.ThreadIndex; n < count; n += ctx.ThreadCount) body(n);
        }
    }

    /// <summary>cols[(ci·KH + r)·KW + q, oh·OutW + ow] = x[ci, oh·sh − ph + r, ow·sw − pw + q], 0 in the padding.</summary>
    public static Span<float> Im2Col(in Conv2dShape s, ReadOnlySpan<float> x, Span<float> cols) => Im2Col(s, x, cols, default, s.Cin, s.OutH * s.OutW);

    /// <summary>The patch matrix of the listed input channels only: row block ci reads channel channels[ci] (gather conv).</summary>
    public static Span<float> Im2Col(in Conv2dShape s, ReadOnlySpan<float> x, Span<float> cols, ReadOnlySpan<int> channels) =>
        Im2Col(s, x, cols, channels, channels.Length, s.OutH * s.OutW);

    /// <summary>The patch matrix with its rows rowStride floats apart: one image's block of several images' patch matrices side by side.</summary>
    public static void Im2ColStrided(in Conv2dShape s, ReadOnlySpan<float> x, Span<float> cols, int rowStride) =>
        Im2Col(s, x, cols, default, s.Cin, rowStride);

    /// <summary>Row block ci of cols reads x's channel channels[ci], or channel ci when the list is empty.</summary>
    private static Span<float> Im2Col(in Conv2dShape s, ReadOnlySpan<float> x, Span<float> cols, ReadOnlySpan<int> channels, int count, int rowStride)
    {
        int outH = s.OutH, outW = s.OutW, p = outH * outW, plane = s.H * s.W;
        for (int ci = 0; ci < count; ci++)
        {
            var xc = x.Slice((channels.IsEmpty ? ci : channels[ci]) * plane, plane);
            for (int r = 0; r < s.KH; r++)
            {
                var (ohLo, ohHi) = ValidRange(r, s.PadH, s.StrideH, s.H, outH);
                for (int q = 0; q < s.KW; q++)
                {
                    var row = cols.Slice(((ci * s.KH + r) * s.KW + q) * rowStride, p);
                    var (owLo, owHi) = ValidRange(q, s.PadW, s.StrideW, s.W, outW);
                    if (ohLo > ohHi || owLo > owHi)
                    {
                        row.Clear();
                        continue;
                    }
                    row[..(ohLo * outW)].Clear();
                    row[((ohHi + 1) * outW)..].Clear();
                    for (int oh = ohLo; oh <= ohHi; oh++)
                    {
                        var dst = row.Slice(oh * outW, outW);
                        var src = xc.Slice((oh * s.StrideH - s.PadH + r) * s.W);
                        dst[..owLo].Clear();
                        dst[(owHi + 1)..].Clear();
                        int iw0 = owLo * s.StrideW - s.PadW + q;
                        if (s.StrideW == 1)
                            src.Slice(iw0, owHi - owLo + 1).CopyTo(dst[owLo..]);
                        else
                            for (int ow = owLo, iw = iw0; ow <= owHi; ow++, iw += s.StrideW) dst[ow] = src[iw];
                    }
                }
            }
        }
        return cols;
    }

    /// <summary>dx = 0, then dx[ci, ih, iw] += cols[row, pixel] for every patch entry that reads it (fixed order).</summary>
    public static void Col2Im(in Conv2dShape s, ReadOnlySpan<float> cols, Span<float> dx)
    {
        int outH = s.OutH, outW = s.OutW, p = outH * outW, plane = s.H * s.W;
        dx.Clear();
        for (int ci = 0; ci < s.Cin; ci++)
            for (int r = 0; r < s.KH; r++)
            {
                var (ohLo, ohHi) = ValidRange(r, s.PadH, s.StrideH, s.H, outH);
                for (int q = 0; q < s.KW; q++)
                {
                    var row = cols.Slice(((ci * s.KH + r) * s.KW + q) * p, p);
                    var (owLo, owHi) = ValidRange(q, s.PadW, s.StrideW, s.W, outW);
                    if (owLo > owHi) continue;
                    int iw0 = owLo * s.StrideW - s.PadW + q;
                    for (int oh = ohLo; oh <= ohHi; oh++)
                    {
                        var src = row.Slice(oh * outW, outW);
                        var dst = dx.Slice(ci * plane + (oh * s.StrideH - s.PadH + r) * s.W);
                        if (s.StrideW == 1)
                        {
                            var d = dst.Slice(iw0, owHi - owLo + 1);
                            TensorPrimitives.Add(d, src.Slice(owLo, owHi - owLo + 1), d);
                        }
                        else
                            for (int ow = owLo, iw = iw0; ow <= owHi; ow++, iw += s.StrideW) dst[iw] += src[ow];
                    }
                }
            }
    }

    /// <summary>
    /// The output positions o in [lo, hi] whose input index o·stride − pad + tap lies in [0, size);
    /// lo &gt; hi when there are none.
    /// </summary>
    private static (int Lo, int Hi) ValidRange(int tap, int pad, int stride, int size, int outSize)
    {
        int lo = pad - tap > 0 ? (pad - tap + stride - 1) / stride : 0;
        int top = size - 1 + pad - tap;
        int hi = top < 0 ? -1 : Math.Min(outSize - 1, top / stride);
        return (lo, hi);
    }
}
