using System.Numerics.Tensors;
using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Conv;

/// <summary>The patch-matrix helpers and image scheduling of the CPU conv2d.</summary>
internal static class CpuConv
{
    [ThreadStatic] private static float[]? t_cols;
    [ThreadStatic] private static float[]? t_rows;

    /// <summary>
    /// Whether the forward packs patches straight into the GEMM panels (CpuImplicitConv): a SIMD
    /// micro-kernel, a real patch matrix to build, and an image for every team thread or the shifted
    /// form, which shares one image's tiles out — otherwise im2col + the team-parallel Sgemm keeps
    /// both threads busy.
    /// </summary>
    public static bool UsesImplicitForward(in Conv2dShape s) =>
        !IsPointwise(s) && CpuImplicitConv.IsSupported && (s.N >= WorkerTeam.Shared.Size || CpuShiftedConv.Fits(s));

    /// <summary>
    /// The forward conv that computes a stride-1 conv's data gradient (dy in, dx out, padding
    /// K − 1 − pad), or null when the conv is strided or padded as wide as its kernel.
    /// </summary>
    public static Conv2dShape? TransposedForward(in Conv2dShape s) =>
        s.StrideH == 1 && s.StrideW == 1 && s.PadH < s.KH && s.PadW < s.KW && !IsPointwise(s)
            ? new Conv2dShape(s.N, s.Cout, s.OutH, s.OutW, s.Cin, s.KH, s.KW, 1, 1, s.KH - 1 - s.PadH, s.KW - 1 - s.PadW)
            : null;

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
    /// Runs body(n) for n in [0, count) on the team when every thread gets one (each thread its
    /// own contiguous range first, then what is left of the others'), otherwise in order on the
    /// caller. Bodies must write disjoint outputs and depend on n alone, never on the thread that runs them.
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

    /// <summary>Each thread takes its own contiguous range of n, then helps with the others' (see <see cref="StealingRanges"/>).</summary>
    private sealed class ImageJob(int count, Action<int> body) : IWorkerJob
    {
        private readonly StealingRanges ranges = new(count, WorkerTeam.Shared.Size);

        public void Execute(in WorkerContext ctx)
        {
            while (ranges.TryTake(ctx.ThreadIndex, out int n)) body(n);
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
    public static void Col2Im(in Conv2dShape s, ReadOnlySpan<float> cols, Span<float> dx) => Col2Im(s, cols, dx, s.OutH * s.OutW);

    /// <summary>The same from a patch matrix whose rows are <paramref name="rowStride"/> floats apart (one image's block of a group's).</summary>
    public static void Col2Im(in Conv2dShape s, ReadOnlySpan<float> cols, Span<float> dx, int rowStride)
    {
        int outH = s.OutH, outW = s.OutW, p = rowStride, plane = s.H * s.W;
        dx.Clear();
        for (int ci = 0; ci < s.Cin; ci++)
            for (int r = 0; r < s.KH; r++)
            {
                var (ohLo, ohHi) = ValidRange(r, s.PadH, s.StrideH, s.H, outH);
                for (int q = 0; q < s.KW; q++)
                {
                    var row = cols.Slice(((ci * s.KH + r) * s.KW + q) * p, outH * outW);
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
