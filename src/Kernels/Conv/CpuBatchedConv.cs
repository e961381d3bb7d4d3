using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Conv;

/// <summary>
/// The data gradient of convs over small outputs as one GEMM per group of images: the group's
/// output gradients side by side in one [Cout, G·P] matrix (P = OutH·OutW), so Wᵀ times them is a
/// GEMM with G·P columns instead of P, followed by col2im per image. Why: the per-image form ran a
/// 16-column GEMM for ResNet-18's 4×4 outputs (the 256→512 stride-2 conv at 60 GFLOP/s, 3.4× slower
/// than batched), and the transposed forward's 64-column tiles are a quarter full there. The forward
/// stays on the implicit paths: batching it measured no faster, its im2col of tiny rows costing
/// what the fuller tiles save.
/// Determinism: the groups depend on the shape alone and CpuGemm.Sgemm's result never depends on its
/// thread count.
/// </summary>
internal static class CpuBatchedConv
{
    // A group's columns: enough for the packed GEMM's 64-column panels to be full and its blocks busy.
    private const int GroupColumns = 512;

    /// <summary>Small outputs (fewer pixels an image than one 64-column tile) and more than one image to batch.</summary>
    public static bool Prefers(in Conv2dShape s) => s.N > 1 && s.OutH * s.OutW < 32;

    private static int GroupSize(in Conv2dShape s) => Math.Clamp(GroupColumns / (s.OutH * s.OutW), 1, s.N);

    /// <summary>dx = ∂L/∂x: the group's output gradients side by side, Wᵀ times them, col2im per image.</summary>
    public static void DataGradient(in Conv2dShape s, float[] dy, float[] w, float[] dx)
    {
        int k = s.PatchSize, p = s.OutH * s.OutW, inPlane = s.Cin * s.H * s.W, outPlane = s.Cout * p, group = GroupSize(s);
        var weights = w.AsSpan(0, (int)s.WeightLength);
        for (int n0 = 0; n0 < s.N; n0 += group)
        {
            int count = Math.Min(group, s.N - n0), width = count * p;
            var rows = CpuConv.GroupRows((long)s.Cout * width);
            var cols = CpuConv.Scratch((long)k * width);
            for (int i = 0; i < count; i++)
                for (int co = 0; co < s.Cout; co++)
                    dy.AsSpan((n0 + i) * outPlane + co * p, p).CopyTo(rows.Slice(co * width + i * p, p));
            CpuGemm.Sgemm(true, false, k, width, s.Cout, 1f, weights, rows, 0f, cols);
            for (int i = 0; i < count; i++)
                CpuConv.Col2Im(s, cols[(i * p)..], dx.AsSpan((n0 + i) * inPlane, inPlane), width);
        }
    }
}
