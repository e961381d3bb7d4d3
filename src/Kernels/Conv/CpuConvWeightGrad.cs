using System.Buffers;
using System.Numerics.Tensors;
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

    /// <summary>dw[Cout, Cin·KH·KW] = Σ_n dy_n · cols_nᵀ (written, not accumulated).</summary>
    public static void Run(Conv2dShape s, float[] x, float[] dy, float[] dw)
    {
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
    private static void SumImages(in Conv2dShape s, float[] x, float[] dy, int first, int end, Span<float> sum)
    {
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p;
        int group = Math.Min(end - first, (GroupPixels + p - 1) / p);
        var cols = CpuConv.Scratch((long)k * group * p);
        var rows = CpuConv.GroupRows((long)s.Cout * group * p);
        for (int n0 = first; n0 < end; n0 += group)
        {
            int count = Math.Min(group, end - n0), width = count * p;
            for (int i = 0; i < count; i++)
            {
                int n = n0 + i;
                CpuConv.Im2ColStrided(s, x.AsSpan(n * inPlane, inPlane), cols[(i * p)..], width);
                for (int co = 0; co < s.Cout; co++)
                    dy.AsSpan(n * outPlane + co * p, p).CopyTo(rows.Slice(co * width + i * p, p));
            }
            CpuGemm.Sgemm(false, true, s.Cout, k, width, 1f, rows, cols, n0 == first ? 0f : 1f, sum);
        }
    }
}
