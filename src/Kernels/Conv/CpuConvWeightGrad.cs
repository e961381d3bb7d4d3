using System.Buffers;
using System.Numerics.Tensors;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// conv2d backward-weights on the CPU, dW = Σ_n dy_n · cols_nᵀ, as a few deep GEMMs instead of one
/// per image. Why: with few channels a per-image GEMM (16 × 144 × 784 for a 16-channel 28×28 conv)
/// is small enough that its packing, its thread hand-off and a barrier per image dominate.
/// The batch is cut into a fixed number of image ranges (lanes); a lane lays the patch matrices of
/// a group of consecutive images side by side in one [K, G·P] matrix and their output gradients in
/// one [Cout, G·P] matrix, so a single GEMM of depth G·P adds the whole group. Lanes are dealt out
/// to the team (each GEMM then runs solo), each into its own partial sum; the partials are added in
/// lane order at the end. A 1×1 unstrided conv's images are copied side by side too (im2col is a
/// plain copy there), since a group needs them in one matrix.
/// Determinism: lanes and groups depend on the shape alone, each lane's groups are added in order,
/// and Sgemm's result never depends on its thread count, so neither does dW.
/// </summary>
internal static class CpuConvWeightGrad
{
    // Partial sums, independent of the team size so the result is too; four keep a team of two busy.
    private const int Lanes = 4;

    // Pixels per GEMM: a group's depth reaches about one K block of the packed GEMM.
    private const int GroupPixels = 1024;

    // Weight gradients of at least this many floats are not worth lanes: each lane's partial would be
    // read and written per group and added at the end, more memory traffic than the GEMMs' arithmetic
    // (256 @7×7, 0.6 M floats: 12.5 ms in one lane against 16.1 in four; 128 @14×14, 0.15 M: 13.8 against 17.0
    // but the shifted form's 12.2 is faster still).
    private const long DeepWeights = 1 << 18;

    /// <summary>Whether the one-lane form runs: a large weight gradient of images small enough for SmallPatches.</summary>
    public static bool Deep(in Conv2dShape s) => s.WeightLength >= DeepWeights && SmallPatches.Fits(s);

    /// <summary>dw[Cout, Cin·KH·KW] = Σ_n dy_n · cols_nᵀ (written, not accumulated); <paramref name="deep"/> forces a form (tests).</summary>
    public static void Run(Conv2dShape s, float[] x, float[] dy, float[] dw, bool? deep = null)
    {
        if (deep ?? Deep(s))
        {
            RunDeep(s, x, dy, dw);
            return;
        }
        int lanes = Math.Min(Lanes, s.N), length = (int)s.WeightLength;
        float[] partials = ArrayPool<float>.Shared.Rent((lanes - 1) * length);
        try
        {
            CpuConv.ForEachImage(lanes, lane =>
            {
                int first = (int)((long)s.N * lane / lanes), end = (int)((long)s.N * (lane + 1) / lanes);
                SumImages(s, x, dy, first, end, lane == 0 ? dw.AsSpan(0, length) : partials.AsSpan((lane - 1) * length, length));
            });
            var total = dw.AsSpan(0, length);
            for (int lane = 1; lane < lanes; lane++) TensorPrimitives.Add(total, partials.AsSpan((lane - 1) * length, length), total);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    /// <summary>sum = Σ over images [first, end) of dy_n · cols_nᵀ, a group of images per GEMM, groups in order.</summary>
    private static unsafe void SumImages(in Conv2dShape s, float[] x, float[] dy, int first, int end, Span<float> sum)
    {
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W;
        int group = Math.Min(end - first, (GroupPixels + p - 1) / p);
        var cols = CpuConv.Scratch((long)k * group * p);
        var rows = CpuConv.GroupRows((long)s.Cout * group * p);
        for (int n0 = first; n0 < end; n0 += group)
        {
            int count = Math.Min(group, end - n0), width = count * p;
            for (int i = 0; i < count; i++)
                CpuConv.Im2ColStrided(s, x.AsSpan((n0 + i) * inPlane, inPlane), cols[(i * p)..], width);
            fixed (float* dyp = dy, rp = rows)
                CpuBatchedConv.OutputRows(s, dyp, n0, 0, count, rp, width);
            CpuGemm.Sgemm(false, true, s.Cout, k, width, 1f, rows, cols, n0 == first ? 0f : 1f, sum);
        }
    }

    /// <summary>
    /// One lane for a large weight gradient of small images (ResNet-18's 256- and 512-channel layers:
    /// 0.3–2.4 M floats, where four lanes' partials cost more than the GEMMs): groups of images in order, each
    /// one GEMM run by the whole team, their patch matrices (SmallPatches) and output-gradient rows
    /// laid out by the team image by image.
    /// </summary>
    private static unsafe void RunDeep(Conv2dShape s, float[] x, float[] dy, float[] dw)
    {
        int k = s.PatchSize, p = s.OutH * s.OutW;
        int group = Math.Min(s.N, (GroupPixels + p - 1) / p);
        bool vector = SmallPatches.Vectorised;
        var cols = CpuConv.Scratch((long)k * group * p);
        var rows = CpuConv.GroupRows((long)s.Cout * group * p);
        fixed (float* xp = x, dyp = dy, cp = cols, rp = rows)
        {
            nint xa = (nint)xp, da = (nint)dyp, ca = (nint)cp, ra = (nint)rp;
            for (int n0 = 0; n0 < s.N; n0 += group)
            {
                int count = Math.Min(group, s.N - n0), width = count * p, first = n0;
                CpuParallel.For(count, 1, (i0, i1) =>
                {
                    SmallPatches.Gather(s, (float*)xa, first + i0, first + i1, (float*)ca + (long)i0 * p, width, vector);
                    CpuBatchedConv.OutputRows(s, (float*)da, first, i0, i1, (float*)ra, width);
                });
                CpuGemm.Sgemm(false, true, s.Cout, k, width, 1f, rows[..(s.Cout * width)], cols[..(k * width)], n0 == 0 ? 0f : 1f, dw.AsSpan(0, (int)s.WeightLength));
            }
        }
    }
}
